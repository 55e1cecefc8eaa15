// A webhook receiver for the delivery benchmark: answers every POST, whatever the path, with
// 200 and an empty body at once (no verification, no work), with recur's server settings
// (bench_server.h: enough worker threads for every connection the dispatcher keeps open,
// TCP_NODELAY), and counts them. GET /count answers the number of POSTs answered so far, as
// decimal text.
//
// usage: bench_receiver [--port PORT]   (0, the default, picks a free port)
// Prints "listening PORT" on stdout once it accepts connections; SIGTERM or SIGINT stops it.
#include <atomic>
#include <string>

#include <httplib.h>

#include "tools/bench/bench_server.h"

int main(int argc, char** argv) {
  std::atomic<long long> answered = 0;
  httplib::Server server;
  server.Post(".*", [&](const httplib::Request&, httplib::Response& response) {
    response.status = 200;
    ++answered;
  });
  server.Get("/count", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(std::to_string(answered.load()), "text/plain");
  });
  return ServeUntilSignalled("bench_receiver", argc, argv, server);
}
