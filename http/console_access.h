// How a request made with a console session is judged (services/sessions/console_sessions.h),
// the rules the server applies before a handler runs, kept pure so they are tested alone:
//  - The session travels as the cookie recur_console (HttpOnly, SameSite=Strict, Path=/, Secure
//    when the request came over HTTPS). A request with an Authorization header is judged by that
//    header alone; the cookie counts only on a request without one.
//  - A request with the cookie whose method is not GET or HEAD must carry the session's CSRF
//    token in X-CSRF-Token: without it 403 csrf_token_missing, with another 403
//    csrf_token_invalid, and the request is not run.
// Thread-safe: pure functions of their arguments.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "http/api_handler.h"
#include "http/request_framing.h"
#include "services/sessions/console_sessions.h"

namespace recur {

// A request's console session, once the server has found it live.
struct AdmittedConsoleSession {
  std::string token;  // the cookie's value
  LiveConsoleSession session;
};

inline constexpr std::string_view kConsoleCookieName = "recur_console";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// The value of cookie recur_console in the request's Cookie headers; none when it has none (or
// an empty one). Cookies are "name=value" pairs separated by ";" (RFC 6265 5.4).
std::optional<std::string_view> ConsoleCookie(const HttpHeaders& headers);

// Whether a request with `headers` is to be judged by its console cookie: it has the cookie and
// no Authorization header.
bool JudgedByConsoleCookie(const HttpHeaders& headers);

// The 403 refusal of a request of method `method` with `headers`, made with a session whose CSRF
// token is `csrf_token`; none when it may go on (GET and HEAD need no token).
std::optional<HeadRefusal> RefuseWithoutCsrfToken(std::string_view method,
                                                  const HttpHeaders& headers,
                                                  std::string_view csrf_token);

// The Set-Cookie value that hands the browser session `token` for `max_age`.
std::string ConsoleSessionCookie(std::string_view token, std::chrono::seconds max_age, bool secure);
// The Set-Cookie value that has the browser drop the session's cookie.
std::string ClearedConsoleSessionCookie(bool secure);

}  // namespace recur
