#include "http/console_access.h"

#include "base/sha256.h"

namespace recur {
namespace {

std::string_view Trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string CookieAttributes(std::chrono::seconds max_age, bool secure) {
  return "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age.count()) +
         (secure ? "; Secure" : "");
}

}  // namespace

std::optional<std::string_view> ConsoleCookie(const HttpHeaders& headers) {
  auto [first, last] = headers.equal_range("Cookie");
  for (auto header = first; header != last; ++header) {
    std::string_view rest = header->second;
    while (!rest.empty()) {
      const std::size_t end = rest.find(';');
      const std::string_view pair = Trimmed(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      const std::size_t equals = pair.find('=');
      if (equals == std::string_view::npos) continue;
      if (Trimmed(pair.substr(0, equals)) != kConsoleCookieName) continue;
      std::string_view value = Trimmed(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      if (!value.empty()) return value;
    }
  }
  return std::nullopt;
}

bool JudgedByConsoleCookie(const HttpHeaders& headers) {
  return !headers.contains("Authorization") && ConsoleCookie(headers).has_value();
}

std::optional<HeadRefusal> RefuseWithoutCsrfToken(std::string_view method,
                                                  const HttpHeaders& headers,
                                                  std::string_view csrf_token) {
  if (method == "GET" || method == "HEAD") return std::nullopt;
  auto sent = headers.find(kCsrfHeader);
  if (sent == headers.end() || sent->second.empty()) {
    return HeadRefusal{
        403, Error{ErrorKind::kUnauthenticated, "csrf_token_missing",
                   "a change made with a console session must carry the session's CSRF token in "
                   "the X-CSRF-Token header (the csrf_token of POST or GET /v1/console/session)",
                   std::string(kCsrfHeader)}};
  }
  if (!ConstantTimeEquals(sent->second, csrf_token)) {
    return HeadRefusal{
        403, Error{ErrorKind::kUnauthenticated, "csrf_token_invalid",
                   "the X-CSRF-Token header is not this console session's CSRF token; read it "
                   "again with GET /v1/console/session",
                   std::string(kCsrfHeader)}};
  }
  return std::nullopt;
}

std::string ConsoleSessionCookie(std::string_view token, std::chrono::seconds max_age,
                                 bool secure) {
  return std::string(kConsoleCookieName) + "=" + std::string(token) +
         CookieAttributes(max_age, secure);
}

std::string ClearedConsoleSessionCookie(bool secure) {
  return std::string(kConsoleCookieName) + "=" + CookieAttributes(std::chrono::seconds(0), secure);
}

}  // namespace recur
