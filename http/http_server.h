// The HTTP edge of the API, and the only code that touches the transport's requests and
// responses (libmicrohttpd, set up by transport.h): routing (router.h), secret-key
// authentication, Idempotency-Key, the making of each handler's ApiRequest and the writing of
// its ApiResponse (api_handler.h), every failure in the error format of its route (api_error.h),
// exceptions turned into 500s, a JSON access-log line per request on stderr, and the requests
// counted by route and status (http_metrics.h, for /metrics).
// A request is judged from its head before any of its body is read (request_framing.h: framing,
// encoding, announced length; then its route and its credentials); a refused request with a
// body announced is answered and its connection closed, unread. A body is counted as it
// arrives and refused past the limit. Requests that may wait on the database (POST, PATCH,
// PUT, DELETE) run on worker threads while the polling threads serve other connections.
// Browsers: payer sessions as a second credential (session_access.h), console sessions as a
// third (a cookie and a CSRF token, console_access.h; the access-log line of a request made
// with one names the session's id) and, for the origins listed in
// HttpServerOptions::allowed_origins, CORS headers and preflights (cors.h).
// Abuse limits, all from the head: per client address (client_limits.h: failed
// authentications, before the key is checked; public requests), whose 429 is held back a tenth
// of a second (held_answers.h) when no body follows; and load shedding (a write that finds
// HttpServerOptions::max_pending_writes pending is answered 503 overloaded).
// Thread safety: routes are added before Bind(); handlers run concurrently on the server's
// polling and worker threads and must be thread-safe. Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "http/api_handler.h"
#include "http/client_limits.h"
#include "http/connection_deadlines.h"
#include "http/console_access.h"
#include "http/cors.h"
#include "http/held_answers.h"
#include "http/http_metrics.h"
#include "http/http_request.h"
#include "http/idempotent_request.h"
#include "http/router.h"
#include "http/session_access.h"
#include "http/transport.h"
#include "http/worker_pool.h"

namespace recur {

// Returns true when the presented secret key is valid.
using SecretKeyCheck = std::function<bool(std::string_view)>;

// How the server checks payer sessions (services/sessions/payer_sessions.h). A bearer token
// starting "ps_" is taken for one; the route table says what it may do (session_access.h).
struct PayerSessionChecks {
  // The payer a token acts for; none when it is no live session's.
  std::function<Result<std::optional<std::string>>(std::string_view token)> payer_of_token;
  ResourceOwners owners;
};

// How the server checks console sessions (services/sessions/console_sessions.h).
struct ConsoleSessionChecks {
  // The live session of a cookie's token; none when it is no live session's.
  std::function<Result<std::optional<LiveConsoleSession>>(std::string_view token)> find;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Clock& clock, SecretKeyCheck check_secret_key);
  ~HttpServer();

  // `pattern` as router.h reads it. Routes are matched in the order they were added. Every
  // error the route answers, the server's refusals of its requests included, is written in
  // `errors` (api_error.h).
  void Route(std::string method, std::string_view pattern, Access access, ApiHandler handler,
             ErrorFormat errors = ErrorFormat::kRecur);

  // With a store in `options`, an authenticated POST carrying an Idempotency-Key header is
  // handled once per key, as idempotent_request.h says. Without one the header is ignored. Set
  // before Bind().
  void SetIdempotency(IdempotencyOptions options);
  // Limits per client address (client_limits.h); without them, none. Set before Bind().
  void SetClientLimits(ClientLimitOptions options);
  // Payer sessions as credentials; without them, a session's token is a wrong secret key. Set
  // before Bind().
  void SetPayerSessions(PayerSessionChecks checks);
  // Console sessions as credentials (console_access.h); without them, a console cookie is no
  // credential. Set before Bind().
  void SetConsoleSessions(ConsoleSessionChecks checks);
  // Deletes the expired idempotency keys (none without a store); returns how many.
  Result<int> PurgeExpiredIdempotencyKeys();
  // The requests answered so far by route and status, and their latency (http_metrics.h);
  // nothing before Bind() or with HttpServerOptions::metrics off. Any thread.
  void WriteMetrics(MetricsText& text) const;

  // Binds the listening socket; returns the port. Fails when the address is taken.
  Result<int> Bind();
  // Serves until Stop(). Requires a successful Bind().
  void Run();
  // Blocks until a Run() on another thread accepts connections (true) or has returned (false).
  bool WaitUntilRunning() const;
  // Ends Run(): no new connections are taken, idle ones are closed, handlers at work finish and
  // are answered (with Connection: close), then every connection is closed. A Stop() before
  // Run() ends the next Run() at once.
  void Stop();

 private:
  friend struct HttpServerCallbacks;
  struct RouteEntry {
    std::string pattern;
    Access access;
    ApiHandler handler;
    std::string name;  // "METHOD pattern", as metrics name it
    ErrorFormat errors = ErrorFormat::kRecur;
  };
  struct Exchange;
  // Judges a request's head: its framing, its route and its credentials; a refusal becomes
  // the exchange's answer.
  void AdmitHead(MHD_Connection* connection, Exchange& exchange);
  // The answer to a CORS preflight (cors.h), when the exchange is one and origins are listed.
  std::optional<ApiResponse> Preflight(const HttpRequest& request) const;
  // Hands the exchange's answer to the transport and logs it.
  MHD_Result Send(MHD_Connection* connection, Exchange& exchange);
  // Writes the exchange's answer on the socket itself, for a refusal in the middle of a body,
  // where the library takes no answer; the caller then ends the connection.
  void SendMidBody(MHD_Connection* connection, Exchange& exchange);
  // The refusal of a request its head alone decides: no such route, a method the route does
  // not take, an address over its limits, missing credentials, or a write past the bound of
  // pending writes. None when the body is to be read and the request run.
  // A request admitted with a payer session has `session_payer` set to the session's payer, one
  // admitted with a console session `console_session` set.
  std::optional<ApiResponse> Refuse(const HttpRequest& request, const RouteMatch& match,
                                    std::string& session_payer,
                                    std::optional<AdmittedConsoleSession>& console_session) const;
  // The 503 of a write when HttpServerOptions::max_pending_writes are pending; none otherwise.
  std::optional<ApiResponse> Shed(std::string_view method, ErrorFormat errors) const;
  // Takes a place among the pending writes for a write about to go to a worker (given back
  // when its connection is taken back); false when there is none, so that no more than the
  // bound are ever pending.
  bool TakePendingWrite();
  // The 503 overloaded of a shed write.
  ApiResponse Overloaded(ErrorFormat errors) const;
  // The error format of the exchange's route; Recur's when no route matched.
  ErrorFormat ErrorsOf(const Exchange& exchange) const;
  // The answer to an admitted request once its body is in.
  ApiResponse Answer(const HttpRequest& request, RouteMatch match, std::string_view session_payer,
                     const AdmittedConsoleSession* console_session);
  // Answer, with an exception outside the handler (the idempotency store's, say) as a 500.
  ApiResponse AnswerSafely(Exchange& exchange);
  // The refusal of a request to a route that needs the secret key: its address is past its
  // failed authentications (checked first, so that its key is not), or its key is missing or
  // wrong (counted as a failure of its address). None when it has the key.
  std::optional<ApiResponse> Authenticate(const HttpRequest& request, ErrorFormat errors) const;
  // The refusal of a request that came with payer session `token` to a route of `access`: its
  // address is past its failed authentications, the session is unknown or over (401), or the
  // session may not make this request (session_access.h). None when it may, with
  // `session_payer` set.
  std::optional<ApiResponse> AdmitSession(const HttpRequest& request, const RouteMatch& match,
                                          Access access, std::string_view token,
                                          std::string& session_payer) const;
  // The refusal of a request judged by its console cookie (console_access.h): its address is
  // past its failed authentications, the cookie is no live session's (401, counted as a failed
  // authentication), or a change lacks the session's CSRF token (403). None when it may go on,
  // with `console_session` set.
  std::optional<ApiResponse> AdmitConsoleSession(
      const HttpRequest& request, ErrorFormat errors,
      std::optional<AdmittedConsoleSession>& console_session) const;
  // The handler's answer; its Error or exception in the one error format.
  ApiResponse Invoke(const RouteEntry& route, const ApiRequest& request);
  // The access-log line and the request's metrics.
  void LogRequest(const Exchange& exchange, int status, std::size_t bytes_out);

  HttpServerOptions options_;
  const Clock& clock_;
  SecretKeyCheck check_secret_key_;
  Router router_;
  std::vector<RouteEntry> routes_;
  std::unique_ptr<IdempotentRequests> idempotency_;
  std::unique_ptr<ClientLimits> client_limits_;           // none: no limits per address
  std::optional<PayerSessionChecks> payer_sessions_;      // none: no payer sessions
  std::optional<ConsoleSessionChecks> console_sessions_;  // none: no console sessions
  CorsPolicy cors_;
  std::unique_ptr<HttpMetrics> metrics_;  // made at Bind(), once the routes are known

  int listen_socket_ = -1;
  std::unique_ptr<ConnectionDeadlines> deadlines_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<HeldAnswers> held_answers_;
  // Connections suspended for a worker, not yet taken back: the writes pending.
  std::atomic<int> suspended_ = 0;
  std::atomic<int> held_ = 0;  // connections suspended for a held answer, not yet taken back
  std::atomic<bool> running_ = false;
  std::atomic<bool> run_returned_ = false;
  std::atomic<bool> stopping_ = false;  // Stop() was called
  std::mutex stop_mutex_;
  std::condition_variable stop_requested_changed_;
  bool stop_requested_ = false;
};

}  // namespace recur
