// What the benchmark's bare cpp-httplib servers share: the transport settings recur served with
// before it moved to libmicrohttpd (ApplyCppHttplibSettings, and a full listen backlog), kept so
// that the old ceiling can be measured beside the new one, on 127.0.0.1, the port from
// `--port PORT` (0, the default, picks a free one; anything else, --help included, prints the
// usage and exits 2), "listening PORT" on stdout once connections are accepted, and a clean stop
// on SIGINT or SIGTERM. `server` has its routes; returns the exit status for main.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <thread>

#include <httplib.h>

#include "http/listen_backlog.h"

// 256 worker threads (one per connection served at once), TCP_NODELAY, 30 s keep-alive and read
// and write timeouts, a 1 MiB body limit.
inline void ApplyCppHttplibSettings(httplib::Server& server) {
  server.new_task_queue = [] { return new httplib::ThreadPool(256); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100'000);
  server.set_keep_alive_timeout(30);
  server.set_read_timeout(std::chrono::seconds(30));
  server.set_write_timeout(std::chrono::seconds(30));
  server.set_payload_max_length(1 << 20);
}

// The port `--port PORT` asks for (0 without the flag), or none after printing the usage.
inline std::optional<int> RequestedPort(const char* name, int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--port") return std::atoi(argv[2]);
  if (argc == 1) return 0;
  std::fprintf(stderr, "usage: %s [--port PORT]\n", name);
  return std::nullopt;
}

// Blocks SIGINT and SIGTERM, to be waited for with sigwait. Call it before the server's threads
// start, so that every thread inherits the mask and the signals come to sigwait.
inline sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

inline int ServeUntilSignalled(const char* name, int argc, char** argv, httplib::Server& server) {
  const std::optional<int> requested = RequestedPort(name, argc, argv);
  if (!requested) return 2;
  const sigset_t signals = BlockStopSignals();

  ApplyCppHttplibSettings(server);
  const int port = *requested == 0
                       ? server.bind_to_any_port("127.0.0.1")
                       : (server.bind_to_port("127.0.0.1", *requested) ? *requested : -1);
  if (port < 0) {
    std::fprintf(stderr, "%s: cannot listen on port %d\n", name, *requested);
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
