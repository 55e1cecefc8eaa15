// The HTTP edge of the API on cpp-httplib, and the only code that touches the library's request
// and response: routing (router.h), secret-key authentication, Idempotency-Key, the making of
// each handler's ApiRequest and the writing of its ApiResponse (api_handler.h), the one error
// format (api_error.h) for every failure including the ones the HTTP library itself produces
// (413, malformed requests), exceptions turned into 500s, and a JSON access-log line per
// request on stderr.
// Thread safety: routes are added before Bind(); handlers run concurrently on the server's
// worker threads and must be thread-safe. Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "base/clock.h"
#include "base/error.h"
#include "http/api_handler.h"
#include "http/idempotent_request.h"
#include "http/router.h"

namespace recur {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                             // 0: any free port (Bind() says which)
  std::size_t max_body_bytes = 1 << 20;        // larger request bodies get 413
  std::size_t keep_alive_max_count = 100'000;  // requests per kept-alive connection
  std::chrono::seconds keep_alive_timeout{30};
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};
  // Worker threads: cpp-httplib serves a connection on one thread for as long as it is kept
  // open, so this bounds the connections served at once; the next ones wait, unanswered, until
  // one closes (with 32, a load of 64 connections left half of them waiting for the whole run).
  // Idle threads cost only their stack's address space.
  std::size_t worker_threads = 256;
  bool access_log = true;
};

// Applies the transport settings of `options` (worker threads, TCP_NODELAY, keep-alive, read and
// write timeouts, body limit) to a cpp-httplib server: HttpServer's own, and the benchmark's
// bare servers that measure the ceiling of the same settings.
void ApplyServerSettings(httplib::Server& server, const HttpServerOptions& options);

// Returns true when the presented secret key is valid.
using SecretKeyCheck = std::function<bool(std::string_view)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Clock& clock, SecretKeyCheck check_secret_key);
  ~HttpServer();

  // `pattern` as router.h reads it. Routes are matched in the order they were added.
  void Route(std::string method, std::string_view pattern, Access access, ApiHandler handler);

  // With a store in `options`, an authenticated POST carrying an Idempotency-Key header is
  // handled once per key, as idempotent_request.h says. Without one the header is ignored. Set
  // before Bind().
  void SetIdempotency(IdempotencyOptions options);
  // Deletes the expired idempotency keys (none without a store); returns how many.
  Result<int> PurgeExpiredIdempotencyKeys();

  // Binds the listening socket; returns the port.
  Result<int> Bind();
  // Serves until Stop(). Requires a successful Bind().
  void Run();
  // Blocks until a Run() on another thread accepts connections (true) or has returned (false).
  // Stop() before that point would be lost: the library ignores a stop of a server that is not
  // running yet.
  bool WaitUntilRunning() const;
  void Stop();

 private:
  struct RouteEntry {
    std::string pattern;
    Access access;
    ApiHandler handler;
  };
  void Dispatch(const httplib::Request& request, httplib::Response& response);
  ApiResponse Answer(const httplib::Request& request, RouteMatch match);
  // The refusal of a request without the credentials `access` asks for; none when it has them.
  std::optional<ApiResponse> Authenticate(Access access, const httplib::Request& request) const;
  // The handler's answer; its Error or exception in the one error format.
  ApiResponse Invoke(const RouteEntry& route, const ApiRequest& request);
  void LogRequest(const httplib::Request& request, const httplib::Response& response);

  HttpServerOptions options_;
  const Clock& clock_;
  SecretKeyCheck check_secret_key_;
  Router router_;
  std::vector<RouteEntry> routes_;
  std::unique_ptr<httplib::Server> server_;
  std::atomic<bool> run_returned_ = false;
  std::unique_ptr<IdempotentRequests> idempotency_;
};

}  // namespace recur
