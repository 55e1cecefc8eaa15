// The HTTP ceiling: the fastest answers cpp-httplib gives on this machine with recur's server
// settings (billing/api/http_server.cc: a pool of 32 worker threads, TCP_NODELAY, keep-alive
// for up to 100,000 requests or 30 s idle, 30 s read and write timeouts, 1 MiB bodies, a full
// listen backlog), answering every GET with the same small JSON body and doing nothing else.
// Load it exactly as recur's read path is loaded to get the ceiling of that load.
//
// usage: bench_http_ceiling [--port PORT]   (0, the default, picks a free port)
// Prints "listening PORT" on stdout once it accepts connections; SIGTERM or SIGINT stops it.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

#include <httplib.h>

#include "billing/api/listen_backlog.h"

namespace {

constexpr std::size_t kWorkerThreads = 256;  // HttpServerOptions::worker_threads
constexpr std::string_view kBody = R"({"object":"ceiling","status":"ok"})";

// The --port value (0 without it); anything else, --help included, prints the usage and exits.
int PortFlag(int argc, char** argv) {
  if (argc == 1) return 0;
  if (argc == 3 && std::string_view(argv[1]) == "--port") return std::atoi(argv[2]);
  std::fprintf(stderr, "usage: %s [--port PORT]\n", "bench_http_ceiling");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100'000);
  server.set_keep_alive_timeout(30);
  server.set_read_timeout(30, 0);
  server.set_write_timeout(30, 0);
  server.set_payload_max_length(1 << 20);
  server.Get(".*", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(kBody.data(), kBody.size(), "application/json");
  });

  const int requested = PortFlag(argc, argv);
  const int port = requested == 0 ? server.bind_to_any_port("127.0.0.1")
                                  : (server.bind_to_port("127.0.0.1", requested) ? requested : -1);
  if (port < 0) {
    std::fprintf(stderr, "bench_http_ceiling: cannot listen on port %d\n", requested);
    return 1;
  }
  recur::RaiseListenBacklog(port);
  std::thread serving([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::printf("listening %d\n", port);
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  server.stop();
  serving.join();
  return 0;
}
