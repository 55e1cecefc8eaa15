// A webhook receiver for the delivery benchmark: answers every POST, whatever the path, with
// 200 and an empty body at once (no verification, no work), with TCP_NODELAY and enough worker
// threads for every connection the dispatcher keeps open, and counts them.
// GET /count answers the number of POSTs answered so far, as decimal text.
//
// usage: bench_receiver [--port PORT]   (0, the default, picks a free port)
// Prints "listening PORT" on stdout once it accepts connections; SIGTERM or SIGINT stops it.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

#include <httplib.h>

#include "billing/api/listen_backlog.h"

namespace {

// Each kept-open connection holds a worker thread; the dispatcher opens at most one per worker.
constexpr std::size_t kWorkerThreads = 64;

// The --port value (0 without it); anything else, --help included, prints the usage and exits.
int PortFlag(int argc, char** argv) {
  if (argc == 1) return 0;
  if (argc == 3 && std::string_view(argv[1]) == "--port") return std::atoi(argv[2]);
  std::fprintf(stderr, "usage: %s [--port PORT]\n", "bench_receiver");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::atomic<long long> answered = 0;
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1'000'000);
  server.set_keep_alive_timeout(30);
  server.Post(".*", [&](const httplib::Request&, httplib::Response& response) {
    response.status = 200;
    ++answered;
  });
  server.Get("/count", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(std::to_string(answered.load()), "text/plain");
  });

  const int requested = PortFlag(argc, argv);
  const int port = requested == 0 ? server.bind_to_any_port("127.0.0.1")
                                  : (server.bind_to_port("127.0.0.1", requested) ? requested : -1);
  if (port < 0) {
    std::fprintf(stderr, "bench_receiver: cannot listen on port %d\n", requested);
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
