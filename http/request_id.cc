#include "http/request_id.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/ids.h"

namespace recur {
namespace {

constexpr std::size_t kMaxRequestIdLength = 128;
// How api_error.h's error bodies begin (nlohmann's dump of {"error": {"code": ...}}).
constexpr std::string_view kErrorOpening = R"({"error":{)";
// How Clerk's error bodies begin (http/clerk_errors.h: {"errors": [...]}).
constexpr std::string_view kClerkErrorsOpening = R"({"errors":[)";

bool IsRequestIdCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-_.:/+=@").find(c) != std::string_view::npos;
}

}  // namespace

bool IsWellFormedRequestId(std::string_view text) {
  return !text.empty() && text.size() <= kMaxRequestIdLength &&
         std::all_of(text.begin(), text.end(), IsRequestIdCharacter);
}

std::string RequestIdFor(const std::string* incoming) {
  if (incoming != nullptr && IsWellFormedRequestId(*incoming)) return *incoming;
  return "req_" + RandomBase62(22);
}

std::string WithRequestId(std::string body, std::string_view request_id) {
  // Clerk's format names the request at its top level, as clerk_trace_id.
  if (body.starts_with(kClerkErrorsOpening) && body.ends_with("]}")) {
    body.insert(body.size() - 1, ",\"clerk_trace_id\":" + nlohmann::json(request_id).dump());
    return body;
  }
  // The error object is the body's only member, so the body ends with its closing "}}".
  if (!body.starts_with(kErrorOpening) || !body.ends_with("}}")) return body;
  const bool empty = body.size() == kErrorOpening.size() + 2;
  body.insert(body.size() - 2, std::string(empty ? "" : ",") +
                                   "\"request_id\":" + nlohmann::json(request_id).dump());
  return body;
}

}  // namespace recur
