// The old HTTP ceiling: the fastest answers cpp-httplib gives on this machine with the settings
// recur served with before libmicrohttpd (ApplyCppHttplibSettings: its worker threads,
// TCP_NODELAY, keep-alive, timeouts, body limit; a full listen backlog), answering every GET
// with the same small JSON body and doing nothing else. bench_mhd_ceiling is the ceiling of the
// transport recur runs on now; the two side by side say what the move changed.
//
// usage: bench_http_ceiling [--port PORT]   (0, the default, picks a free port)
// Prints "listening PORT" on stdout once it accepts connections; SIGTERM or SIGINT stops it.
#include <string_view>

#include <httplib.h>

#include "tools/bench/bench_server.h"

namespace {
constexpr std::string_view kBody = R"({"object":"ceiling","status":"ok"})";
}  // namespace

int main(int argc, char** argv) {
  httplib::Server server;
  server.Get(".*", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(kBody.data(), kBody.size(), "application/json");
  });
  return ServeUntilSignalled("bench_http_ceiling", argc, argv, server);
}
