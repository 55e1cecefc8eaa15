// Signing in to the console, reading the session back and signing out over HTTP (billing_api.h,
// services/sessions/console_sessions.h, console_access.h). A sign-in and a sign-out are logged
// with the session's id (console_signed_in, console_signed_out), so that the access-log lines
// naming it can be traced to the sign-in. A sign-in's answer sets the session's
// cookie and carries its CSRF token, so it is marked Cache-Control: no-store, as is the
// session's answer read back.
#include "base/log.h"
#include "http/billing_api.h"
#include "http/body_reader.h"
#include "http/console_access.h"

namespace recur {
namespace {

nlohmann::json ConsoleSessionJson(const LiveConsoleSession& session) {
  return {{"object", "console_session"},
          {"csrf_token", session.csrf_token},
          {"expires_at", ToUnixMillis(session.expires_at)}};
}

ApiResponse NotStored(ApiResponse answer) {
  answer.headers.emplace_back("Cache-Control", "no-store");
  return answer;
}

// The session the server admitted the request with (Access::kConsoleSession); an error for a
// request made without one, which the server never passes on.
Result<const AdmittedConsoleSession*> SessionOf(const ApiRequest& request) {
  if (request.console_session == nullptr) {
    return MakeError(ErrorKind::kUnauthenticated, "unauthorized",
                     "this endpoint needs a console session: sign in with POST "
                     "/v1/console/session");
  }
  return request.console_session;
}

Error ConsoleSessionsOff() {
  return {ErrorKind::kUnavailable, "console_unavailable",
          "this server was started without console sessions"};
}

}  // namespace

Result<ApiResponse> SignInToConsole(const ApiServices& api, const ApiRequest& request) {
  if (api.console_sessions == nullptr) return std::unexpected(ConsoleSessionsOff());
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  const std::optional<std::string> secret_key = reader.String("secret_key", true);
  if (auto done = reader.Finish({"secret_key"}); !done) return std::unexpected(done.error());
  auto made = api.console_sessions->SignIn(*secret_key);
  if (!made) return std::unexpected(made.error());
  // The sign-in that the access-log lines naming this session go back to.
  Log(api.clock.Now(), "info", "console_signed_in",
      {{"console_session", made->session.id}, {"remote", std::string(request.client_ip)}});
  ApiResponse answer = NotStored(JsonResponse(ConsoleSessionJson(made->session), 201));
  answer.headers.emplace_back(
      "Set-Cookie", ConsoleSessionCookie(made->token, api.console_sessions->ttl(), request.https));
  return answer;
}

Result<ApiResponse> GetConsoleSession(const ApiServices&, const ApiRequest& request) {
  auto admitted = SessionOf(request);
  if (!admitted) return std::unexpected(admitted.error());
  return NotStored(JsonResponse(ConsoleSessionJson((*admitted)->session)));
}

Result<ApiResponse> SignOutOfConsole(const ApiServices& api, const ApiRequest& request) {
  if (api.console_sessions == nullptr) return std::unexpected(ConsoleSessionsOff());
  auto admitted = SessionOf(request);
  if (!admitted) return std::unexpected(admitted.error());
  if (auto ended = api.console_sessions->End((*admitted)->token); !ended) {
    return std::unexpected(ended.error());
  }
  Log(api.clock.Now(), "info", "console_signed_out",
      {{"console_session", (*admitted)->session.id}});
  ApiResponse answer{204, ""};
  answer.headers.emplace_back("Set-Cookie", ClearedConsoleSessionCookie(request.https));
  return answer;
}

}  // namespace recur
