// What the benchmark's bare servers share: recur's transport settings (ApplyServerSettings with
// HttpServerOptions' defaults, and a full listen backlog) on 127.0.0.1, the port from
// `--port PORT` (0, the default, picks a free one; anything else, --help included, prints the
// usage and exits 2), "listening PORT" on stdout once connections are accepted, and a clean stop
// on SIGINT or SIGTERM. `server` has its routes; returns the exit status for main.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>

#include <httplib.h>

#include "http/http_server.h"
#include "http/listen_backlog.h"

inline int ServeUntilSignalled(const char* name, int argc, char** argv, httplib::Server& server) {
  int requested = 0;
  if (argc == 3 && std::string_view(argv[1]) == "--port") {
    requested = std::atoi(argv[2]);
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: %s [--port PORT]\n", name);
    return 2;
  }
  // Blocked before the server's threads start, so that every thread inherits the mask and the
  // signals come to sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  recur::ApplyServerSettings(server, recur::HttpServerOptions{});
  const int port = requested == 0 ? server.bind_to_any_port("127.0.0.1")
                                  : (server.bind_to_port("127.0.0.1", requested) ? requested : -1);
  if (port < 0) {
    std::fprintf(stderr, "%s: cannot listen on port %d\n", name, requested);
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
