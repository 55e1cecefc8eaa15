#include "http/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <thread>

#include "base/log.h"
#include "http/api_error.h"
#include "http/client_address.h"
#include "http/request_framing.h"
#include "http/request_id.h"

namespace recur {

// One request on its way through the transport: made at its head, answered once, deleted when
// the transport is done with it.
struct HttpServer::Exchange {
  HttpRequest request;
  std::string request_id;  // request_id.h
  RouteMatch match;
  std::size_t route = SIZE_MAX;  // the matched route's index; none: no route matched
  BodyFraming framing;
  std::chrono::steady_clock::time_point started;
  std::optional<ApiResponse> answer;  // once known
  bool close_connection = false;      // after the answer
  bool queued = false;                // the answer is with the transport
  bool at_worker = false;             // a worker runs the handler; the connection is suspended
  bool hold = false;                  // the answer is a rate limit's, to be held back first
  bool held = false;                  // the answer is held back; the connection is suspended
  bool started_admission = false;     // AdmitHead has judged the head
  bool preflight = false;             // the answer is a CORS preflight's, with its own headers
  std::string session_payer;          // the payer of the session it came with, if any
  std::optional<AdmittedConsoleSession> console_session;  // the console session it came with
};

namespace {

// How long the unread body of a refused request is read and dropped before its connection
// closes.
constexpr std::chrono::seconds kLingering{2};

// How long the answer to a request refused by a rate limit is held back (held_answers.h).
constexpr std::chrono::milliseconds kRateLimitedHold{100};

std::optional<std::string_view> BearerToken(const HttpRequest& request) {
  auto it = request.headers.find("Authorization");
  if (it == request.headers.end()) return std::nullopt;
  std::string_view value = it->second;
  // The scheme's name is case-insensitive (RFC 9110 11.1).
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() ||
      strncasecmp(value.data(), kScheme.data(), kScheme.size()) != 0) {
    return std::nullopt;
  }
  return value.substr(kScheme.size());
}

ApiResponse MethodNotAllowed(const HttpRequest& request,
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

ApiRequest MakeApiRequest(const HttpRequest& request, std::vector<std::string> path_params,
                          std::string_view session_payer,
                          const AdmittedConsoleSession* console_session) {
  auto user_agent = request.headers.find("User-Agent");
  auto if_none_match = request.headers.find("If-None-Match");
  return {request.method,
          request.path,
          std::move(path_params),
          request.params,
          request.body,
          request.remote_addr,
          user_agent == request.headers.end() ? std::string_view() : user_agent->second,
          session_payer,
          if_none_match == request.headers.end() ? std::string_view() : if_none_match->second,
          &request.headers,
          console_session,
          request.https};
}

// The CORS headers of an answer to `request` (cors.h): none when no origin is listed.
void AddCorsHeaders(const CorsPolicy& cors, const HttpRequest& request, ApiResponse& answer) {
  auto origin = request.headers.find("Origin");
  for (auto& header : cors.AnswerHeaders(origin == request.headers.end()
                                             ? std::nullopt
                                             : std::optional<std::string_view>(origin->second))) {
    answer.headers.push_back(std::move(header));
  }
}

// A bearer token of a payer session rather than a secret key (payer_sessions.h).
bool IsPayerSessionToken(std::string_view token) { return token.starts_with("ps_"); }

ApiResponse Refusal(const HeadRefusal& refusal, ErrorFormat errors = ErrorFormat::kRecur) {
  ApiResponse answer = ErrorResponse(refusal.error, errors);
  answer.status = refusal.status;
  return answer;
}

// Requests whose handlers may wait on the database's write queue.
bool MayWait(std::string_view method) {
  return method == "POST" || method == "PATCH" || method == "PUT" || method == "DELETE";
}

std::string PeerAddress(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  char text[INET6_ADDRSTRLEN] = {};
  const sockaddr* address = info->client_addr;
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
              sizeof text);
  }
  return text;
}

HttpRequest ReadHead(MHD_Connection* connection, const char* url, const char* method,
                     std::span<const Cidr> trusted_proxies) {
  HttpRequest request;
  request.method = method;
  request.path = url;
  MHD_get_connection_values(
      connection, MHD_HEADER_KIND,
      [](void* headers, MHD_ValueKind, const char* name, const char* value) {
        static_cast<HttpHeaders*>(headers)->emplace(name, value == nullptr ? "" : value);
        return MHD_YES;
      },
      &request.headers);
  MHD_get_connection_values(
      connection, MHD_GET_ARGUMENT_KIND,
      [](void* params, MHD_ValueKind, const char* name, const char* value) {
        static_cast<ApiRequest::QueryParams*>(params)->emplace(name, value == nullptr ? "" : value);
        return MHD_YES;
      },
      &request.params);
  request.peer_addr = PeerAddress(connection);
  request.remote_addr = ClientAddress(request.peer_addr, request.headers, trusted_proxies);
  request.https = CameOverHttps(request.peer_addr, request.headers, trusted_proxies);
  return request;
}

ConnectionDeadlines::Connection* DeadlinesOf(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info == nullptr ? nullptr
                         : static_cast<ConnectionDeadlines::Connection*>(info->socket_context);
}

}  // namespace

// The transport's callbacks, each a step of a request's way (libmicrohttpd's contract: the
// request handler is called once at the head, once per piece of body, and once at the end, and
// again after a resume).
struct HttpServerCallbacks {
  static MHD_Result OnRequest(void* context, MHD_Connection* connection, const char* url,
                              const char* method, const char*, const char* upload_data,
                              size_t* upload_data_size, void** request_context) {
    auto& server = *static_cast<HttpServer*>(context);
    auto* exchange = static_cast<HttpServer::Exchange*>(*request_context);
    try {
      if (exchange == nullptr) {
        exchange = new HttpServer::Exchange;
        *request_context = exchange;
        exchange->started = std::chrono::steady_clock::now();
        // A request is under way: no longer an idle connection that a stopping server closes.
        server.deadlines_->Set(DeadlinesOf(connection),
                               exchange->started + server.options_.header_deadline);
        exchange->request = ReadHead(connection, url, method, server.options_.trusted_proxies);
        auto incoming = exchange->request.headers.find("X-Request-Id");
        exchange->request_id =
            RequestIdFor(incoming == exchange->request.headers.end() ? nullptr : &incoming->second);
      }
      const LogRequestScope log_scope(exchange->request_id);
      if (!exchange->started_admission) {
        exchange->started_admission = true;
        server.AdmitHead(connection, *exchange);
        // A refused request with a body announced is answered now, its body unread, and its
        // connection closed; one without a body is answered at the end, keeping the connection.
        if (exchange->answer && exchange->framing.HasBody()) {
          exchange->close_connection = true;
          return server.Send(connection, *exchange);
        }
        return MHD_YES;
      }
      if (exchange->queued) {
        *upload_data_size = 0;  // the body of a refused request is dropped
        return MHD_YES;
      }
      if (*upload_data_size > 0) {
        std::string& body = exchange->request.body;
        if (body.size() + *upload_data_size > server.options_.max_body_bytes) {
          // The library takes an answer only before the body or after all of it, so this one
          // goes out on the socket directly, and the connection is ended.
          exchange->answer =
              Refusal(BodyTooLarge(server.options_.max_body_bytes), server.ErrorsOf(*exchange));
          server.SendMidBody(connection, *exchange);
          return MHD_NO;
        }
        body.append(upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
      }
      // The whole request is in: no deadline while it is answered.
      server.deadlines_->Set(DeadlinesOf(connection), std::nullopt);
      if (!exchange->answer && !exchange->at_worker && MayWait(exchange->request.method) &&
          server.TakePendingWrite()) {
        exchange->at_worker = true;
        MHD_suspend_connection(connection);
        auto answer_and_resume = [&server, connection, exchange] {
          const LogRequestScope worker_log_scope(exchange->request_id);
          exchange->answer = server.AnswerSafely(*exchange);
          MHD_resume_connection(connection);
        };
        // While the server stops, the pool takes no more work: answered here instead.
        if (!server.workers_->Submit(answer_and_resume)) answer_and_resume();
        return MHD_YES;  // called again once resumed, to send the answer
      }
      if (exchange->hold) {
        exchange->hold = false;
        exchange->held = true;
        ++server.held_;
        MHD_suspend_connection(connection);
        // While the server stops, nothing is held: answered now instead.
        if (!server.held_answers_->Hold(connection)) MHD_resume_connection(connection);
        return MHD_YES;  // called again once resumed, to send the answer
      }
      if (exchange->held && !exchange->queued) --server.held_;            // back from being held
      if (exchange->at_worker && !exchange->queued) --server.suspended_;  // back from a worker
      if (!exchange->answer && MayWait(exchange->request.method) && !exchange->at_worker) {
        // no room: more writes came in meanwhile
        exchange->answer = server.Overloaded(server.ErrorsOf(*exchange));
      }
      if (!exchange->answer) exchange->answer = server.AnswerSafely(*exchange);
      return server.Send(connection, *exchange);
    } catch (const std::exception& error) {
      Log(server.clock_.Now(), "error", "http_edge_exception", {{"what", error.what()}});
      return MHD_NO;  // the library closes the connection
    }
  }

  static void OnCompleted(void* context, MHD_Connection* connection, void** request_context,
                          MHD_RequestTerminationCode) {
    auto& server = *static_cast<HttpServer*>(context);
    delete static_cast<HttpServer::Exchange*>(*request_context);
    *request_context = nullptr;
    // The next request on a kept-alive connection has its head's deadline from now.
    server.deadlines_->AwaitHead(DeadlinesOf(connection), std::chrono::steady_clock::now() +
                                                              server.options_.header_deadline);
  }

  static void OnConnection(void* context, MHD_Connection* connection, void** socket_context,
                           MHD_ConnectionNotificationCode code) {
    auto& server = *static_cast<HttpServer*>(context);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
      const MHD_ConnectionInfo* info =
          MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
      if (info == nullptr) return;
      const int on = 1;
      ::setsockopt(info->connect_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      *socket_context = server.deadlines_->Opened(
          info->connect_fd, std::chrono::steady_clock::now() + server.options_.header_deadline);
    } else {
      server.deadlines_->Closed(static_cast<ConnectionDeadlines::Connection*>(*socket_context));
      *socket_context = nullptr;
    }
  }
};

HttpServer::HttpServer(HttpServerOptions options, const Clock& clock,
                       SecretKeyCheck check_secret_key)
    : options_(std::move(options)),
      clock_(clock),
      check_secret_key_(std::move(check_secret_key)),
      cors_(options_.allowed_origins) {}

HttpServer::~HttpServer() {
  if (listen_socket_ >= 0) ::close(listen_socket_);
}

void HttpServer::Route(std::string method, std::string_view pattern, Access access,
                       ApiHandler handler, ErrorFormat errors) {
  std::string name = method + " " + std::string(pattern);
  router_.Add(std::move(method), pattern);
  routes_.push_back({std::string(pattern), access, std::move(handler), std::move(name), errors});
}

ErrorFormat HttpServer::ErrorsOf(const Exchange& exchange) const {
  return exchange.route < routes_.size() ? routes_[exchange.route].errors : ErrorFormat::kRecur;
}

void HttpServer::WriteMetrics(MetricsText& text) const {
  if (metrics_ != nullptr) metrics_->Write(text);
}

void HttpServer::SetIdempotency(IdempotencyOptions options) {
  idempotency_ = options.store == nullptr
                     ? nullptr
                     : std::make_unique<IdempotentRequests>(std::move(options), clock_);
}

void HttpServer::SetClientLimits(ClientLimitOptions options) {
  client_limits_ = std::make_unique<ClientLimits>(std::move(options), clock_);
}

void HttpServer::SetPayerSessions(PayerSessionChecks checks) {
  payer_sessions_ = std::move(checks);
}

void HttpServer::SetConsoleSessions(ConsoleSessionChecks checks) {
  console_sessions_ = std::move(checks);
}

Result<int> HttpServer::PurgeExpiredIdempotencyKeys() {
  return idempotency_ == nullptr ? 0 : idempotency_->PurgeExpired();
}

Result<int> HttpServer::Bind() {
  auto socket = OpenListeningSocket(options_.host, options_.port);
  if (!socket) return std::unexpected(socket.error());
  listen_socket_ = *socket;
  if (options_.metrics) {
    std::vector<std::string> names;
    for (const RouteEntry& route : routes_) names.push_back(route.name);
    metrics_ = std::make_unique<HttpMetrics>(std::move(names));
  }
  return BoundPort(listen_socket_);
}

void HttpServer::Run() {
  deadlines_ = std::make_unique<ConnectionDeadlines>(std::chrono::milliseconds(100));
  workers_ = std::make_unique<WorkerPool>(options_.worker_threads);
  held_answers_ = std::make_unique<HeldAnswers>(kRateLimitedHold, [](void* connection) {
    MHD_resume_connection(static_cast<MHD_Connection*>(connection));
  });
  MHD_Daemon* daemon =
      StartTransport(options_, listen_socket_, &HttpServerCallbacks::OnRequest, this,
                     {{MHD_OPTION_NOTIFY_COMPLETED,
                       reinterpret_cast<intptr_t>(&HttpServerCallbacks::OnCompleted), this},
                      {MHD_OPTION_NOTIFY_CONNECTION,
                       reinterpret_cast<intptr_t>(&HttpServerCallbacks::OnConnection), this}});
  if (daemon == nullptr) {
    Log(clock_.Now(), "error", "http_server_not_started",
        {{"host", options_.host}, {"port", std::to_string(options_.port)}});
    run_returned_ = true;
    return;
  }
  running_ = true;
  {
    std::unique_lock lock(stop_mutex_);
    stop_requested_changed_.wait(lock, [this] { return stop_requested_; });
  }
  // No new connections; the handlers at work finish and resume their connections before the
  // daemon, and with it every connection, goes.
  const int listening = MHD_quiesce_daemon(daemon);
  // Kept-alive connections between requests are closed now rather than when the rest is done.
  deadlines_->ShutDownAwaitingHead();
  workers_->Drain();
  held_answers_->ReleaseAll();
  // A resumed connection is suspended until its polling thread takes it back, and the library
  // must not be stopped with one suspended.
  while (suspended_ > 0 || held_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  MHD_stop_daemon(daemon);
  if (listening >= 0) ::close(listening);
  listen_socket_ = -1;
  running_ = false;
  run_returned_ = true;
}

bool HttpServer::WaitUntilRunning() const {
  while (!running_) {
    if (run_returned_) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void HttpServer::Stop() {
  stopping_ = true;
  {
    std::lock_guard lock(stop_mutex_);
    stop_requested_ = true;
  }
  stop_requested_changed_.notify_all();
}

void HttpServer::AdmitHead(MHD_Connection* connection, Exchange& exchange) {
  auto framing = CheckFraming(exchange.request);
  if (!framing) {
    exchange.answer = Refusal(framing.error());
    exchange.close_connection = framing.error().error.code == "malformed_request";
    exchange.framing.chunked = true;  // whatever the body, it is not read
    return;
  }
  exchange.framing = *framing;
  deadlines_->Set(DeadlinesOf(connection),
                  exchange.framing.HasBody()
                      ? std::optional(std::chrono::steady_clock::now() + options_.body_deadline)
                      : std::nullopt);
  if (auto preflight = Preflight(exchange.request)) {
    exchange.answer = std::move(preflight);
    exchange.preflight = true;
    return;
  }
  std::string_view method = exchange.request.method;
  if (method == "HEAD") method = "GET";  // HEAD is GET without the body
  exchange.match = router_.Match(method, exchange.request.path);
  if (exchange.match.outcome == RouteMatch::Outcome::kFound) exchange.route = exchange.match.route;
  exchange.answer =
      Refuse(exchange.request, exchange.match, exchange.session_payer, exchange.console_session);
  // A rate limit's refusal without a body to drop is held back before it is sent; one with a
  // body is sent at once, and its connection closed.
  exchange.hold = exchange.answer && exchange.answer->status == 429 && !exchange.framing.HasBody();
  if (exchange.answer) return;
  if (auto refusal = RefuseBody(exchange.request, exchange.framing, options_.max_body_bytes)) {
    exchange.answer = Refusal(*refusal, ErrorsOf(exchange));
  }
}

std::optional<ApiResponse> HttpServer::Preflight(const HttpRequest& request) const {
  if (!cors_.enabled() || request.method != "OPTIONS") return std::nullopt;
  auto origin = request.headers.find("Origin");
  auto requested = request.headers.find("Access-Control-Request-Method");
  if (origin == request.headers.end() || requested == request.headers.end()) return std::nullopt;
  // The methods of the path's routes that a browser may call: those a payer session may use,
  // and the public ones.
  std::vector<std::string> methods;
  for (const std::string& method : router_.Match("OPTIONS", request.path).allowed) {
    const RouteMatch match = router_.Match(method, request.path);
    if (match.outcome == RouteMatch::Outcome::kFound &&
        routes_[match.route].access != Access::kSecretKey) {
      methods.push_back(method);
    }
  }
  if (auto headers = cors_.PreflightHeaders(origin->second, requested->second, methods)) {
    return ApiResponse{204, "", "application/json", std::move(*headers)};
  }
  ApiResponse refusal =
      ErrorResponse({ErrorKind::kUnauthenticated, "cors_preflight_refused",
                     cors_.Allows(origin->second)
                         ? "a browser may not send " + requested->second + " " + request.path +
                               ": no route of this path takes it with a payer session"
                         : "the origin " + origin->second +
                               " is not among the origins allowed to call this API from a browser "
                               "(--allowed-origin)"});
  refusal.status = 403;
  refusal.headers.emplace_back("Vary", "Origin");
  return refusal;
}

MHD_Result HttpServer::Send(MHD_Connection* connection, Exchange& exchange) {
  ApiResponse& answer = *exchange.answer;
  if (!exchange.preflight) AddCorsHeaders(cors_, exchange.request, answer);
  auto* body = new std::string(WithRequestId(std::move(answer.body), exchange.request_id));
  MHD_Response* response = MHD_create_response_from_buffer_with_free_callback_cls(
      body->size(), body->data(), [](void* text) { delete static_cast<std::string*>(text); }, body);
  MHD_add_response_header(response, "Request-Id", exchange.request_id.c_str());
  for (const auto& [name, value] : answer.headers) {
    MHD_add_response_header(response, name.c_str(), value.c_str());
  }
  MHD_add_response_header(response, "Content-Type", std::string(answer.content_type).c_str());
  if (exchange.close_connection) {
    MHD_add_response_header(response, "Connection", "close");
    // The client may still be sending the body it announced; closing with it unread would
    // reset the connection and lose the answer, so the rest is read and dropped for a while.
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info != nullptr) {
      deadlines_->Linger(info->connect_fd, std::chrono::steady_clock::now() + kLingering);
    }
  } else if (stopping_) {
    // The server is draining: a kept-alive client is told to go elsewhere for its next request.
    MHD_add_response_header(response, "Connection", "close");
  }
  const MHD_Result queued =
      MHD_queue_response(connection, static_cast<unsigned>(answer.status), response);
  MHD_destroy_response(response);
  exchange.queued = true;
  LogRequest(exchange, answer.status, body->size());
  return queued;
}

ApiResponse HttpServer::AnswerSafely(Exchange& exchange) {
  try {
    return Answer(exchange.request, std::move(exchange.match), exchange.session_payer,
                  exchange.console_session ? &*exchange.console_session : nullptr);
  } catch (const std::exception& error) {
    Log(clock_.Now(), "error", "request_exception",
        {{"method", exchange.request.method},
         {"path", exchange.request.path},
         {"what", error.what()}});
    return ErrorResponse({ErrorKind::kInternal, "internal_error",
                          "the server failed to handle this request; the failure is logged"},
                         ErrorsOf(exchange));
  }
}

void HttpServer::SendMidBody(MHD_Connection* connection, Exchange& exchange) {
  ApiResponse& answer = *exchange.answer;
  AddCorsHeaders(cors_, exchange.request, answer);
  answer.body = WithRequestId(std::move(answer.body), exchange.request_id);
  answer.headers.emplace_back("Request-Id", exchange.request_id);
  std::string text = "HTTP/1.1 " + std::to_string(answer.status) + " " +
                     MHD_get_reason_phrase_for(static_cast<unsigned>(answer.status)) +
                     "\r\nConnection: close\r\nContent-Type: " + std::string(answer.content_type) +
                     "\r\nContent-Length: " + std::to_string(answer.body.size()) + "\r\n";
  for (const auto& [name, value] : answer.headers) text += name + ": " + value + "\r\n";
  text += "\r\n" + answer.body;
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (info != nullptr) {
    // Nothing else is being written on the connection: its earlier answers are all sent before
    // a request is read, and the answer is small enough for an empty send buffer.
    (void)::send(info->connect_fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    deadlines_->Linger(info->connect_fd, std::chrono::steady_clock::now() + kLingering);
  }
  exchange.queued = true;
  LogRequest(exchange, answer.status, answer.body.size());
}

std::optional<ApiResponse> HttpServer::Refuse(
    const HttpRequest& request, const RouteMatch& match, std::string& session_payer,
    std::optional<AdmittedConsoleSession>& console_session) const {
  switch (match.outcome) {
    case RouteMatch::Outcome::kNotFound:
      return ErrorResponse({ErrorKind::kNotFound, "route_not_found",
                            "no route " + request.method + " " + request.path});
    case RouteMatch::Outcome::kMethodNotAllowed:
      return MethodNotAllowed(request, match.allowed);
    case RouteMatch::Outcome::kFound:
      break;
  }
  const Access access = routes_[match.route].access;
  const ErrorFormat errors = routes_[match.route].errors;
  const std::optional<std::string_view> token = BearerToken(request);
  if (access == Access::kConsoleSignIn) {
    // The key is in the body, checked by the handler: the address's failures are checked now.
    if (client_limits_ != nullptr) {
      if (auto refusal = client_limits_->RefuseBeforeKeyCheck(request.remote_addr)) {
        return ErrorResponse(*refusal, errors);
      }
    }
  } else if (payer_sessions_ && token && IsPayerSessionToken(*token) && access != Access::kPublic) {
    if (auto refusal = AdmitSession(request, match, access, *token, session_payer)) return refusal;
  } else if (access == Access::kConsoleSession) {
    if (auto refusal = AdmitConsoleSession(request, errors, console_session)) return refusal;
  } else if (NeedsCredential(access, request.params)) {
    if (console_sessions_ && JudgedByConsoleCookie(request.headers)) {
      if (auto refusal = AdmitConsoleSession(request, errors, console_session)) return refusal;
    } else if (auto refusal = Authenticate(request, errors)) {
      return refusal;
    }
  } else if (client_limits_ != nullptr) {
    if (auto refusal = client_limits_->RefusePublicRequest(request.remote_addr)) {
      return ErrorResponse(*refusal, errors);
    }
  }
  return Shed(request.method, errors);
}

std::optional<ApiResponse> HttpServer::Shed(std::string_view method, ErrorFormat errors) const {
  const std::size_t bound = options_.max_pending_writes;
  if (bound == 0 || !MayWait(method) || static_cast<std::size_t>(suspended_.load()) < bound) {
    return std::nullopt;
  }
  return Overloaded(errors);
}

bool HttpServer::TakePendingWrite() {
  const int bound = static_cast<int>(options_.max_pending_writes);
  int pending = suspended_.load();
  do {
    if (bound > 0 && pending >= bound) return false;
  } while (!suspended_.compare_exchange_weak(pending, pending + 1));
  return true;
}

ApiResponse HttpServer::Overloaded(ErrorFormat errors) const {
  Error overloaded{ErrorKind::kUnavailable, "overloaded",
                   "the server has " + std::to_string(options_.max_pending_writes) +
                       " writes waiting for the database, as many as it takes at once; retry in "
                       "1 s"};
  overloaded.retry_after = std::chrono::seconds(1);
  return ErrorResponse(overloaded, errors);
}

ApiResponse HttpServer::Answer(const HttpRequest& request, RouteMatch match,
                               std::string_view session_payer,
                               const AdmittedConsoleSession* console_session) {
  const RouteEntry& route = routes_[match.route];
  const ApiRequest api_request =
      MakeApiRequest(request, std::move(match.params), session_payer, console_session);
  if (idempotency_ != nullptr && NeedsCredential(route.access, {}) && request.method == "POST" &&
      request.has_header("Idempotency-Key")) {
    return idempotency_->Handle(request.get_header_value("Idempotency-Key"), route.pattern,
                                api_request, [&] { return Invoke(route, api_request); });
  }
  return Invoke(route, api_request);
}

std::optional<ApiResponse> HttpServer::Authenticate(const HttpRequest& request,
                                                    ErrorFormat errors) const {
  if (client_limits_ != nullptr) {
    if (auto refusal = client_limits_->RefuseBeforeKeyCheck(request.remote_addr)) {
      return ErrorResponse(*refusal, errors);
    }
  }
  auto token = BearerToken(request);
  if (token && check_secret_key_(*token)) return std::nullopt;
  if (client_limits_ != nullptr) client_limits_->KeyCheckFailed(request.remote_addr);
  ApiResponse refusal = ErrorResponse(
      {ErrorKind::kUnauthenticated, "unauthorized",
       token ? "the secret key is not valid"
             : "this endpoint needs the secret key: send Authorization: Bearer sk_..."},
      errors);
  refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
  return refusal;
}

std::optional<ApiResponse> HttpServer::AdmitSession(const HttpRequest& request,
                                                    const RouteMatch& match, Access access,
                                                    std::string_view token,
                                                    std::string& session_payer) const {
  const ErrorFormat errors = routes_[match.route].errors;
  if (client_limits_ != nullptr) {
    if (auto refusal = client_limits_->RefuseBeforeKeyCheck(request.remote_addr)) {
      return ErrorResponse(*refusal, errors);
    }
  }
  auto payer = payer_sessions_->payer_of_token(token);
  if (!payer) return ErrorResponse(payer.error(), errors);
  if (!*payer) {
    if (client_limits_ != nullptr) client_limits_->KeyCheckFailed(request.remote_addr);
    ApiResponse refusal = ErrorResponse(
        {ErrorKind::kUnauthenticated, "unauthorized",
         "the payer session is not valid: it has expired, its payer's sessions were revoked, or "
         "it never existed; ask the application's backend for a new one"},
        errors);
    refusal.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return refusal;
  }
  if (auto refused = RefuseSessionRequest(access, match.params, request.params, **payer,
                                          payer_sessions_->owners)) {
    ApiResponse refusal = ErrorResponse(refused->error, errors);
    if (refused->status != 0) refusal.status = refused->status;
    return refusal;
  }
  session_payer = std::move(**payer);
  return std::nullopt;
}

std::optional<ApiResponse> HttpServer::AdmitConsoleSession(
    const HttpRequest& request, ErrorFormat errors,
    std::optional<AdmittedConsoleSession>& console_session) const {
  if (client_limits_ != nullptr) {
    if (auto refusal = client_limits_->RefuseBeforeKeyCheck(request.remote_addr)) {
      return ErrorResponse(*refusal, errors);
    }
  }
  const std::optional<std::string_view> token = ConsoleCookie(request.headers);
  Result<std::optional<LiveConsoleSession>> session = std::optional<LiveConsoleSession>();
  if (token && console_sessions_) session = console_sessions_->find(*token);
  if (!session) return ErrorResponse(session.error(), errors);
  if (!*session) {
    // A request without the cookie at all is no guess at a credential; a wrong cookie is.
    if (token && client_limits_ != nullptr) client_limits_->KeyCheckFailed(request.remote_addr);
    return ErrorResponse(
        {ErrorKind::kUnauthenticated, "unauthorized",
         token ? "the console session is not valid: it has expired, it was signed out, or it "
                 "never existed; sign in again with POST /v1/console/session"
               : "this endpoint needs a console session: sign in with POST /v1/console/session"},
        errors);
  }
  if (auto refusal =
          RefuseWithoutCsrfToken(request.method, request.headers, (*session)->csrf_token)) {
    return Refusal(*refusal, errors);
  }
  console_session = AdmittedConsoleSession{std::string(*token), std::move(**session)};
  return std::nullopt;
}

ApiResponse HttpServer::Invoke(const RouteEntry& route, const ApiRequest& request) {
  try {
    Result<ApiResponse> answer = route.handler(request);
    // A console sign-in with a wrong key is a failed authentication like a wrong key in a
    // header (Access::kConsoleSignIn).
    if (route.access == Access::kConsoleSignIn && client_limits_ != nullptr &&
        ((answer && answer->status == 401) ||
         (!answer && answer.error().kind == ErrorKind::kUnauthenticated))) {
      client_limits_->KeyCheckFailed(request.client_ip);
    }
    if (answer) return std::move(*answer);
    LogServerFailure(clock_.Now(), request, answer.error());
    return ErrorResponse(answer.error(), route.errors);
  } catch (const std::exception& error) {
    Log(clock_.Now(), "error", "handler_exception",
        {{"method", request.method}, {"path", request.path}, {"what", error.what()}});
    return ErrorResponse({ErrorKind::kInternal, "internal_error",
                          "the server failed to handle this request; the failure is logged"},
                         route.errors);
  }
}

void HttpServer::LogRequest(const Exchange& exchange, int status, std::size_t bytes_out) {
  const auto elapsed = std::chrono::steady_clock::now() - exchange.started;
  if (metrics_ != nullptr) metrics_->Record(exchange.route, status, elapsed);
  if (!options_.access_log || !LogEnabled("info")) return;
  const HttpRequest& request = exchange.request;
  LogLine line("info", "http_request");
  line.AddString("method", request.method)
      .AddString("path", request.path)
      .AddInteger("status", status)
      .AddInteger("bytes_in", static_cast<std::int64_t>(request.body.size()))
      .AddInteger("bytes_out", static_cast<std::int64_t>(bytes_out))
      .AddString("remote", request.remote_addr);
  // The proxy the request came through, when the client's address came from X-Forwarded-For.
  if (request.remote_addr != request.peer_addr) line.AddString("proxy", request.peer_addr);
  // The console session a request was made with, by its id (never its token), so that what an
  // operator did can be traced to a sign-in.
  if (exchange.console_session) {
    line.AddString("console_session", exchange.console_session->session.id);
  }
  line.AddNumber("duration_ms",
                 std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() / 1000.0);
  line.Write(clock_.Now());
}

}  // namespace recur
