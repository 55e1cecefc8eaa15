// The checks a request's head must pass before any of its body is read: unambiguous framing
// (RFC 9112 6: one Content-Length of plain digits, or Transfer-Encoding: chunked, never both),
// no Content-Encoding but identity (nothing is ever unpacked), a body no larger than the limit
// when its length is announced, and a path and query that are UTF-8. Each refusal is an Error
// in the API's format with the HTTP status it is answered with. Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "base/error.h"
#include "http/http_request.h"

namespace recur {

struct HeadRefusal {
  int status = 400;
  Error error;
};

// How the head says its body is framed.
struct BodyFraming {
  bool chunked = false;
  std::size_t content_length = 0;  // when not chunked
  bool HasBody() const { return chunked || content_length > 0; }
};

// The body's framing, or the refusal of a head whose framing is ambiguous or malformed (400
// malformed_request) or whose path or query is not UTF-8 (400).
std::expected<BodyFraming, HeadRefusal> CheckFraming(const HttpRequest& request);

// The refusal of a body the server will not read: encoded (415 unsupported_content_encoding)
// or announced longer than `max_body_bytes` (413 body_too_large). None when it may be read.
std::optional<HeadRefusal> RefuseBody(const HttpRequest& request, const BodyFraming& framing,
                                      std::size_t max_body_bytes);

// The refusal of a body that has grown past the limit.
HeadRefusal BodyTooLarge(std::size_t max_body_bytes);

bool IsValidUtf8(std::string_view text);

}  // namespace recur
