#include "http/http_server.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "base/log.h"
#include "base/sha256.h"
#include "http/api_error.h"
#include "http/listen_backlog.h"

namespace recur {
namespace {

// When the request being served on this worker thread began, for the access log.
thread_local std::optional<std::chrono::steady_clock::time_point> request_started;

std::optional<std::string_view> BearerToken(const httplib::Request& request) {
  auto it = request.headers.find("Authorization");
  if (it == request.headers.end()) return std::nullopt;
  std::string_view value = it->second;
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() || value.substr(0, kScheme.size()) != kScheme) {
    return std::nullopt;
  }
  return value.substr(kScheme.size());
}

// The error answer for failures the HTTP library detects before any handler runs.
Error LibraryError(int status, std::size_t max_body_bytes) {
  switch (status) {
    case 413:
      return {ErrorKind::kInvalidArgument, "body_too_large",
              "the request body is larger than the limit of " + std::to_string(max_body_bytes) +
                  " bytes"};
    case 414:
      return {ErrorKind::kInvalidArgument, "uri_too_long", "the request URI is too long"};
    case 404:
      return {ErrorKind::kNotFound, "route_not_found", "no such route"};
    case 400:
      return {ErrorKind::kInvalidArgument, "bad_request", "the HTTP request is malformed"};
    default:
      return {ErrorKind::kInternal, "http_error",
              "the request failed with HTTP status " + std::to_string(status)};
  }
}

ApiResponse MethodNotAllowed(const httplib::Request& request,
                             const std::vector<std::string>& allowed_methods) {
  std::string allowed;
  for (const std::string& m : allowed_methods) allowed += (allowed.empty() ? "" : ", ") + m;
  ApiResponse answer = ErrorResponse(
      {ErrorKind::kInvalidArgument, "method_not_allowed",
       request.path + " does not accept " + request.method + "; it accepts " + allowed});
  answer.status = 405;
  answer.headers.emplace_back("Allow", std::move(allowed));
  return answer;
}

ApiRequest MakeApiRequest(const httplib::Request& request, std::vector<std::string> path_params) {
  auto user_agent = request.headers.find("User-Agent");
  return {request.method,
          request.path,
          std::move(path_params),
          request.params,
          request.body,
          request.remote_addr,
          user_agent == request.headers.end() ? std::string_view() : user_agent->second};
}

void Write(ApiResponse answer, httplib::Response& response) {
  response.status = answer.status;
  for (auto& [name, value] : answer.headers) response.set_header(name, value);
  response.body = std::move(answer.body);
  response.headers.erase("Content-Type");
  response.set_header("Content-Type", std::string(answer.content_type));
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, const Clock& clock,
                       SecretKeyCheck check_secret_key)
    : options_(std::move(options)),
      clock_(clock),
      check_secret_key_(std::move(check_secret_key)),
      server_(std::make_unique<httplib::Server>()) {
  httplib::Server& server = *server_;
  ApplyServerSettings(server, options_);
  server.set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        request_started = std::chrono::steady_clock::now();
        // A request without Content-Length or Transfer-Encoding has no body (RFC 9112 6.3), but
        // this cpp-httplib version would wait for one on POST, PATCH and DELETE until the read
        // timeout. Such requests are answered here, before the library tries to read a body.
        if (!request.has_header("Content-Length") && !request.has_header("Transfer-Encoding")) {
          Dispatch(request, response);
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  auto dispatch = [this](const httplib::Request& request, httplib::Response& response) {
    Dispatch(request, response);
  };
  for (auto route :
       {&httplib::Server::Get, &httplib::Server::Post, &httplib::Server::Put,
        &httplib::Server::Patch, &httplib::Server::Delete, &httplib::Server::Options}) {
    (server.*route)(".*", dispatch);
  }
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body_bytes = options_.max_body_bytes](const httplib::Request&,
                                                 httplib::Response& response) {
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        ApiResponse answer = ErrorResponse(LibraryError(response.status, max_body_bytes));
        answer.status = response.status;
        Write(std::move(answer), response);
        return httplib::Server::HandlerResponse::Handled;
      }));
  if (options_.access_log) {
    server.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
      LogRequest(request, response);
    });
  }
}

HttpServer::~HttpServer() = default;

void HttpServer::Route(std::string method, std::string_view pattern, Access access,
                       ApiHandler handler) {
  router_.Add(std::move(method), pattern);
  routes_.push_back({access, std::move(handler)});
}

void ApplyServerSettings(httplib::Server& server, const HttpServerOptions& options) {
  server.new_task_queue = [threads = options.worker_threads] {
    return new httplib::ThreadPool(threads);
  };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(options.keep_alive_max_count);
  server.set_keep_alive_timeout(options.keep_alive_timeout.count());
  server.set_read_timeout(options.read_timeout);
  server.set_write_timeout(options.write_timeout);
  server.set_payload_max_length(options.max_body_bytes);
}

Result<int> HttpServer::Bind() {
  const int port = options_.port == 0
                       ? server_->bind_to_any_port(options_.host)
                       : (server_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port < 0) {
    return MakeError(ErrorKind::kUnavailable, "bind_failed",
                     "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                         " (address in use, or not an address of this machine)");
  }
  RaiseListenBacklog(port);
  return port;
}

void HttpServer::Run() {
  server_->listen_after_bind();
  run_returned_ = true;
}

bool HttpServer::WaitUntilRunning() const {
  while (!server_->is_running()) {
    if (run_returned_) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void HttpServer::Stop() { server_->stop(); }

void HttpServer::Dispatch(const httplib::Request& request, httplib::Response& response) {
  std::string_view method = request.method;
  if (method == "HEAD") method = "GET";  // HEAD is GET without the body
  Write(Answer(request, router_.Match(method, request.path)), response);
}

ApiResponse HttpServer::Answer(const httplib::Request& request, RouteMatch match) {
  switch (match.outcome) {
    case RouteMatch::Outcome::kNotFound:
      return ErrorResponse({ErrorKind::kNotFound, "route_not_found",
                            "no route " + request.method + " " + request.path});
    case RouteMatch::Outcome::kMethodNotAllowed:
      return MethodNotAllowed(request, match.allowed);
    case RouteMatch::Outcome::kFound:
      break;
  }
  const RouteEntry& route = routes_[match.route];
  if (std::optional<ApiResponse> refusal = Authenticate(route.access, request)) {
    return std::move(*refusal);
  }
  const ApiRequest api_request = MakeApiRequest(request, std::move(match.params));
  if (idempotency_ != nullptr && route.access == Access::kSecretKey && request.method == "POST" &&
      request.has_header("Idempotency-Key")) {
    return RunOnce(route, api_request, request.get_header_value("Idempotency-Key"));
  }
  return Invoke(route, api_request);
}

std::optional<ApiResponse> HttpServer::Authenticate(Access access,
                                                    const httplib::Request& request) const {
  if (!NeedsSecretKey(access, request.params)) return std::nullopt;
  auto token = BearerToken(request);
  if (token && check_secret_key_(*token)) return std::nullopt;
  ApiResponse refusal = ErrorResponse(
      {ErrorKind::kUnauthenticated, "unauthorized",
       token ? "the secret key is not valid"
             : "this endpoint needs the secret key: send Authorization: Bearer sk_..."});
  refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
  return refusal;
}

ApiResponse HttpServer::Invoke(const RouteEntry& route, const ApiRequest& request) {
  try {
    Result<ApiResponse> answer = route.handler(request);
    return answer ? std::move(*answer) : ErrorResponse(answer.error());
  } catch (const std::exception& error) {
    Log(clock_.Now(), "error", "handler_exception",
        {{"method", request.method}, {"path", request.path}, {"what", error.what()}});
    return ErrorResponse({ErrorKind::kInternal, "internal_error",
                          "the server failed to handle this request; the failure is logged"});
  }
}

ApiResponse HttpServer::RunOnce(const RouteEntry& route, const ApiRequest& request,
                                const std::string& key) {
  if (key.empty() || key.size() > 255) {
    return ErrorResponse({ErrorKind::kInvalidArgument, "invalid_idempotency_key",
                          "Idempotency-Key must be 1 to 255 characters", "Idempotency-Key"});
  }
  std::string fingerprint(request.method);
  fingerprint.append("\n").append(request.path).append("\n").append(request.body);
  auto claim = idempotency_->ClaimIdempotencyKey(key, Sha256Hex(fingerprint), clock_.Now(),
                                                 std::chrono::hours(24), std::chrono::minutes(1));
  if (!claim) return ErrorResponse(claim.error());
  switch (claim->outcome) {
    case IdempotencyClaim::Outcome::kReplay:
      return {claim->status, claim->body, "application/json", {{"Idempotent-Replayed", "true"}}};
    case IdempotencyClaim::Outcome::kInProgress:
      return ErrorResponse({ErrorKind::kAlreadyExists, "idempotency_key_in_progress",
                            "a request with this Idempotency-Key is still being handled; retry "
                            "shortly",
                            "Idempotency-Key"});
    case IdempotencyClaim::Outcome::kMismatch:
      return ErrorResponse({ErrorKind::kFailedPrecondition, "idempotency_key_reused",
                            "this Idempotency-Key was used with a different request; use a new "
                            "key for a new request",
                            "Idempotency-Key"});
    case IdempotencyClaim::Outcome::kClaimed:
      break;
  }
  ApiResponse answer = Invoke(route, request);
  // A server error may pass on retry, so it is not remembered.
  auto kept = answer.status >= 500
                  ? idempotency_->ReleaseIdempotencyKey(key)
                  : idempotency_->CompleteIdempotencyKey(key, answer.status, answer.body);
  if (!kept) {
    Log(clock_.Now(), "error", "idempotency_key_not_saved",
        {{"key", key}, {"error", kept.error().message}});
  }
  return answer;
}

void HttpServer::LogRequest(const httplib::Request& request, const httplib::Response& response) {
  LogLine line("info", "http_request");
  line.AddString("method", request.method)
      .AddString("path", request.path)
      .AddInteger("status", response.status)
      .AddInteger("bytes_in", static_cast<std::int64_t>(request.body.size()))
      .AddInteger("bytes_out", static_cast<std::int64_t>(response.body.size()))
      .AddString("remote", request.remote_addr);
  if (request_started) {
    const auto elapsed = std::chrono::steady_clock::now() - *request_started;
    line.AddNumber("duration_ms",
                   std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() / 1000.0);
    request_started.reset();
  }
  line.Write(clock_.Now());
}

}  // namespace recur
