#include "http/static_text.h"

#include "base/sha256.h"

namespace recur {

StaticText::StaticText(std::string_view text, std::string_view content_type)
    : text_(text),
      content_type_(content_type),
      etag_("\"" + Sha256Hex(text).substr(0, 32) + "\"") {}

Result<ApiResponse> StaticText::Answer(
    const ApiRequest& request, std::string_view cache_control,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  if (auto known = RejectUnknownQueryParams(request, {}); !known) {
    return std::unexpected(known.error());
  }
  ApiResponse answer;
  answer.content_type = content_type_;
  answer.headers.emplace_back("ETag", etag_);
  answer.headers.emplace_back("Cache-Control", std::string(cache_control));
  answer.headers.insert(answer.headers.end(), headers.begin(), headers.end());
  if (IfNoneMatchNames(request.if_none_match, etag_)) {
    answer.status = 304;
    return answer;
  }
  answer.body = std::string(text_);
  return answer;
}

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

}  // namespace recur
