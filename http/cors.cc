#include "http/cors.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace recur {
namespace {

std::unexpected<Error> InvalidOrigin(std::string_view text, const std::string& why) {
  return std::unexpected(Error{ErrorKind::kInvalidArgument, "invalid_origin",
                               "\"" + std::string(text) + "\" is not an origin: " + why +
                                   "; write it as scheme://host or scheme://host:port, such as "
                                   "https://app.example.com"});
}

std::string Lowered(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lowered;
}

bool IsHostCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '[' ||
         c == ']' || c == ':';
}

constexpr std::string_view kExposedHeaders = "Request-Id, Retry-After, Idempotent-Replayed";
constexpr std::string_view kAllowedRequestHeaders =
    "Authorization, Content-Type, Idempotency-Key, X-Request-Id";

}  // namespace

Result<std::string> ParseAllowedOrigin(std::string_view text) {
  const std::size_t separator = text.find("://");
  if (separator == std::string_view::npos) return InvalidOrigin(text, "it has no scheme");
  const std::string scheme = Lowered(text.substr(0, separator));
  if (scheme != "http" && scheme != "https") {
    return InvalidOrigin(text, "its scheme must be http or https");
  }
  std::string_view rest = text.substr(separator + 3);
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return InvalidOrigin(text, "an origin has no path, query or fragment, not even a final /");
  }
  if (rest.find('@') != std::string_view::npos) {
    return InvalidOrigin(text, "an origin has no user name or password");
  }
  std::string_view host = rest;
  std::optional<int> port;
  const std::size_t colon = rest.rfind(':');
  const std::size_t bracket = rest.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = rest.substr(0, colon);
    const std::string_view digits = rest.substr(colon + 1);
    int value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
        value < 1 || value > 65535) {
      return InvalidOrigin(text, "its port must be a number from 1 to 65535");
    }
    port = value;
  }
  if (host.empty()) return InvalidOrigin(text, "it has no host");
  if (!std::all_of(host.begin(), host.end(), IsHostCharacter)) {
    return InvalidOrigin(text, "its host has a character no host name has");
  }
  std::string origin = scheme + "://" + Lowered(host);
  const int default_port = scheme == "https" ? 443 : 80;
  if (port && *port != default_port) origin += ":" + std::to_string(*port);
  return origin;
}

bool CorsPolicy::Allows(std::string_view origin) const {
  return std::find(allowed_origins_.begin(), allowed_origins_.end(), origin) !=
         allowed_origins_.end();
}

HeaderList CorsPolicy::AnswerHeaders(std::optional<std::string_view> origin) const {
  HeaderList headers;
  if (!enabled()) return headers;
  headers.emplace_back("Vary", "Origin");
  if (origin && Allows(*origin)) {
    headers.emplace_back("Access-Control-Allow-Origin", std::string(*origin));
    headers.emplace_back("Access-Control-Expose-Headers", std::string(kExposedHeaders));
  }
  return headers;
}

std::optional<HeaderList> CorsPolicy::PreflightHeaders(
    std::string_view origin, std::string_view requested_method,
    const std::vector<std::string>& methods) const {
  if (!Allows(origin) ||
      std::find(methods.begin(), methods.end(), requested_method) == methods.end()) {
    return std::nullopt;
  }
  std::string allowed;
  for (const std::string& method : methods) allowed += (allowed.empty() ? "" : ", ") + method;
  return HeaderList{
      {"Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"},
      {"Access-Control-Allow-Origin", std::string(origin)},
      {"Access-Control-Allow-Methods", std::move(allowed)},
      {"Access-Control-Allow-Headers", std::string(kAllowedRequestHeaders)},
      {"Access-Control-Max-Age", std::to_string(kPreflightMaxAgeSeconds)}};
}

}  // namespace recur
