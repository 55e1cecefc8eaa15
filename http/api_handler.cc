#include "http/api_handler.h"

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

#include "base/json_parse_error.h"
#include "http/unknown_parameter.h"

namespace recur {

bool ApiRequest::HasQuery(std::string_view name) const {
  return query.find(std::string(name)) != query.end();
}

bool AcceptsPayerSession(Access access) {
  switch (access) {
    case Access::kPublic:
    case Access::kSecretKey:
    case Access::kConsoleSignIn:
    case Access::kConsoleSession:
      return false;
    case Access::kPublicUnlessPayer:
    case Access::kPayerSession:
    case Access::kItemSession:
    case Access::kStatementSession:
    case Access::kAttemptSession:
      return true;
  }
  return false;
}

bool NeedsCredential(Access access, const ApiRequest::QueryParams& query) {
  switch (access) {
    case Access::kPublic:
    case Access::kConsoleSignIn:  // its credential is in the body
      return false;
    case Access::kSecretKey:
    case Access::kConsoleSession:
    case Access::kPayerSession:
    case Access::kItemSession:
    case Access::kStatementSession:
    case Access::kAttemptSession:
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

// Finds what the parser keeps quiet about: a key given twice in one object (it keeps the
// last). Parsing stops at the first.
class BodyProblemFinder {
 public:
  explicit BodyProblemFinder(std::optional<Error>& problem) : problem_(problem) {}

  bool operator()(int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (problem_) return false;
    switch (event) {
      case Event::object_start:
        keys_.emplace_back();
        break;
      case Event::object_end:
        keys_.pop_back();
        break;
      case Event::key:
        if (!keys_.back().insert(parsed.get<std::string>()).second) {
          problem_ = Error{ErrorKind::kInvalidArgument, "duplicate_key",
                           "the request body gives the key " + parsed.get<std::string>() +
                               " twice; give each key once",
                           parsed.get<std::string>()};
        }
        break;
      case Event::value:
      case Event::array_start:
      case Event::array_end:
        break;
    }
    return !problem_;
  }

 private:
  std::optional<Error>& problem_;
  std::vector<std::set<std::string>> keys_;
};
std::unexpected<Error> InvalidJson(const JsonParseErrorDescription& where) {
  return MakeError(ErrorKind::kInvalidArgument, "invalid_json",
                   "the request body is not valid JSON: line " + std::to_string(where.line) +
                       ", column " + std::to_string(where.column) + ": " + where.reason);
}

}  // namespace

Result<nlohmann::json> ParseJsonBody(const ApiRequest& request) {
  if (request.body.empty()) return nlohmann::json::object();
  nlohmann::json body;
  std::optional<Error> problem;
  try {
    body = nlohmann::json::parse(request.body, BodyProblemFinder(problem));
  } catch (const nlohmann::json::parse_error& error) {
    return InvalidJson(DescribeJsonParseError(error, request.body));
  } catch (const nlohmann::json::out_of_range& error) {  // a number such as 1e400
    return InvalidJson(DescribeJsonParseError(error, request.body));
  }
  if (problem) return std::unexpected(*problem);
  if (!body.is_object()) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_body",
                     "the request body must be a JSON object");
  }
  return body;
}

Status RejectUnknownQueryParams(const ApiRequest& request,
                                std::initializer_list<std::string_view> known) {
  const std::vector<std::string_view> candidates(known);
  for (const auto& [name, value] : request.query) {
    if (std::find(candidates.begin(), candidates.end(), name) == candidates.end()) {
      return std::unexpected(UnknownParameter("query parameter", name, candidates));
    }
  }
  return Ok();
}

}  // namespace recur
