// A text compiled into the binary (cmake/embed_text.cmake) answered over HTTP with a strong ETag
// of its bytes, so that a browser revalidates it in one small request: a request whose
// If-None-Match names the ETag (RFC 9110 13.1.2, compared weakly, or "*") is answered 304
// without a body. Used for the browser components' script and the console's files.
// Immutable after construction; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/api_handler.h"

namespace recur {

class StaticText {
 public:
  // `text` and `content_type` are static (compiled-in) text.
  StaticText(std::string_view text, std::string_view content_type);

  std::string_view etag() const { return etag_; }

  // The 200 answer with the text, or a 304 when `request` names the ETag; both carry the ETag,
  // `cache_control` and `headers`. A query parameter is refused (unknown_parameter).
  Result<ApiResponse> Answer(
      const ApiRequest& request, std::string_view cache_control,
      const std::vector<std::pair<std::string, std::string>>& headers = {}) const;

 private:
  std::string_view text_;
  std::string_view content_type_;
  std::string etag_;
};

// Whether an If-None-Match header ("*" or a list of entity tags, compared weakly) names `etag`.
bool IfNoneMatchNames(std::string_view header, std::string_view etag);

}  // namespace recur
