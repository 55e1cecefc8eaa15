// The HTTP ceiling: the fastest answers libmicrohttpd gives on this machine with recur's
// transport settings (StartTransport with HttpServerOptions' defaults: its polling threads,
// connection limits, timeouts), answering every request with the same small JSON body on the
// polling thread and doing nothing else. Load it exactly as recur's read path is loaded to get
// the ceiling of that load.
//
// usage: bench_mhd_ceiling [--port PORT]   (0, the default, picks a free port)
// Prints "listening PORT" on stdout once it accepts connections; SIGTERM or SIGINT stops it.
#include <cstdio>
#include <optional>
#include <string_view>

#include "http/transport.h"
#include "tools/bench/bench_server.h"

namespace {

constexpr std::string_view kBody = R"({"object":"ceiling","status":"ok"})";

MHD_Result Answer(void*, MHD_Connection* connection, const char*, const char*, const char*,
                  const char*, size_t* upload_data_size, void** request_context) {
  if (*request_context == nullptr) {
    *request_context = connection;  // the head is in; answer at the end
    return MHD_YES;
  }
  *upload_data_size = 0;
  MHD_Response* response = MHD_create_response_from_buffer(
      kBody.size(), const_cast<char*>(kBody.data()), MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(response, "Content-Type", "application/json");
  const MHD_Result queued = MHD_queue_response(connection, 200, response);
  MHD_destroy_response(response);
  return queued;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<int> requested = RequestedPort("bench_mhd_ceiling", argc, argv);
  if (!requested) return 2;
  const sigset_t signals = BlockStopSignals();

  auto socket = recur::OpenListeningSocket("127.0.0.1", *requested);
  if (!socket) {
    std::fprintf(stderr, "bench_mhd_ceiling: %s\n", socket.error().message.c_str());
    return 1;
  }
  const int port = recur::BoundPort(*socket);
  MHD_Daemon* daemon = recur::StartTransport(recur::HttpServerOptions{}, *socket, &Answer, nullptr);
  if (daemon == nullptr) {
    std::fprintf(stderr, "bench_mhd_ceiling: the daemon did not start\n");
    return 1;
  }
  std::printf("listening %d\n", port);
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  MHD_stop_daemon(daemon);
  return 0;
}
