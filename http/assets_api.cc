// The browser components' script over HTTP (billing_api.h): web/recur.js as compiled in
// (recur_script.h), with an ETag of its text so that a browser revalidates it in one small
// request (304) instead of fetching it again.
#include <string>
#include <string_view>

#include "base/sha256.h"
#include "http/billing_api.h"
#include "http/recur_script.h"

namespace recur {
namespace {

// A strong validator of the script's text: it changes exactly when the text does.
const std::string& ScriptEtag() {
  static const std::string kEtag = "\"" + Sha256Hex(RecurScriptText()).substr(0, 32) + "\"";
  return kEtag;
}

// Whether an If-None-Match header (RFC 9110 13.1.2: "*" or a list of entity tags, compared
// weakly) names `etag`.
bool IfNoneMatchNames(std::string_view header, std::string_view etag) {
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view tag = header.substr(start, end - start);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

Result<ApiResponse> GetRecurScript(const ApiServices&, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {}); !known) {
    return std::unexpected(known.error());
  }
  ApiResponse answer;
  answer.content_type = "text/javascript; charset=utf-8";
  answer.headers.emplace_back("ETag", ScriptEtag());
  // Kept five minutes, then revalidated: an upgraded server's script reaches pages soon.
  answer.headers.emplace_back("Cache-Control", "public, max-age=300");
  if (IfNoneMatchNames(request.if_none_match, ScriptEtag())) {
    answer.status = 304;
    return answer;
  }
  answer.body = std::string(RecurScriptText());
  return answer;
}

}  // namespace recur
