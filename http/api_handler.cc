#include "http/api_handler.h"

#include <algorithm>

#include "base/json_parse_error.h"

namespace recur {

bool ApiRequest::HasQuery(std::string_view name) const {
  return query.find(std::string(name)) != query.end();
}

bool NeedsSecretKey(Access access, const ApiRequest::QueryParams& query) {
  switch (access) {
    case Access::kPublic:
      return false;
    case Access::kSecretKey:
      return true;
    case Access::kPublicUnlessPayer:
      return query.contains("payer_id");
  }
  return true;
}

std::string_view ApiRequest::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string_view() : std::string_view(it->second);
}

ApiResponse JsonResponse(const nlohmann::json& body, int status) { return {status, body.dump()}; }

ApiResponse JsonTextResponse(std::string text) { return {200, std::move(text)}; }

nlohmann::json ListJson(nlohmann::json data, bool has_more) {
  return {{"object", "list"}, {"data", std::move(data)}, {"has_more", has_more}};
}

Result<nlohmann::json> ParseJsonBody(const ApiRequest& request) {
  if (request.body.empty()) return nlohmann::json::object();
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& error) {
    const JsonParseErrorDescription where = DescribeJsonParseError(error, request.body);
    return MakeError(ErrorKind::kInvalidArgument, "invalid_json",
                     "the request body is not valid JSON: line " + std::to_string(where.line) +
                         ", column " + std::to_string(where.column) + ": " + where.reason);
  }
  if (!body.is_object()) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_body",
                     "the request body must be a JSON object");
  }
  return body;
}

Status RejectUnknownQueryParams(const ApiRequest& request,
                                std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : request.query) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return MakeError(ErrorKind::kInvalidArgument, "unknown_parameter",
                       "unknown query parameter " + name, name);
    }
  }
  return Ok();
}

}  // namespace recur
