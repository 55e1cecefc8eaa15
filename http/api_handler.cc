#include "http/api_handler.h"

#include <algorithm>

#include "base/json_parse_error.h"

namespace recur {

bool ApiRequest::HasQuery(std::string_view name) const {
  return query.find(std::string(name)) != query.end();
}

std::string_view ApiRequest::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string_view() : std::string_view(it->second);
}

ApiResponse JsonResponse(const nlohmann::json& body, int status) {
  // Answers quote what requests sent (an id in a path, a parameter's value), which may be any
  // bytes: those that are not UTF-8 are written as U+FFFD instead of failing the answer.
  return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

ApiResponse JsonTextResponse(std::string text) { return {200, std::move(text)}; }

nlohmann::json ListJson(nlohmann::json data, bool has_more) {
  return {{"object", "list"}, {"data", std::move(data)}, {"has_more", has_more}};
}

namespace {

std::unexpected<Error> InvalidJson(const JsonParseErrorDescription& where) {
  return MakeError(ErrorKind::kInvalidArgument, "invalid_json",
                   "the request body is not valid JSON: line " + std::to_string(where.line) +
                       ", column " + std::to_string(where.column) + ": " + where.reason);
}

}  // namespace

Result<nlohmann::json> ParseJsonBody(const ApiRequest& request) {
  if (request.body.empty()) return nlohmann::json::object();
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& error) {
    return InvalidJson(DescribeJsonParseError(error, request.body));
  } catch (const nlohmann::json::out_of_range& error) {  // a number such as 1e400
    return InvalidJson(DescribeJsonParseError(error, request.body));
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
