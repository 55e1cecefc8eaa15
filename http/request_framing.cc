#include "http/request_framing.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace recur {
namespace {

HeadRefusal Malformed(std::string message) {
  return {400, {ErrorKind::kInvalidArgument, "malformed_request", std::move(message)}};
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

HeadRefusal BodyTooLarge(std::size_t max_body_bytes) {
  return {413,
          {ErrorKind::kInvalidArgument, "body_too_large",
           "the request body is larger than the limit of " + std::to_string(max_body_bytes) +
               " bytes"}};
}

std::expected<BodyFraming, HeadRefusal> CheckFraming(const HttpRequest& request) {
  if (!IsValidUtf8(request.path)) {
    return std::unexpected(HeadRefusal{
        400, {ErrorKind::kInvalidArgument, "invalid_path", "the request path is not UTF-8"}});
  }
  for (const auto& [name, value] : request.params) {
    if (!IsValidUtf8(name) || !IsValidUtf8(value)) {
      return std::unexpected(HeadRefusal{
          400,
          {ErrorKind::kInvalidArgument, "invalid_parameter", "a query parameter is not UTF-8"}});
    }
  }
  const auto lengths = request.headers.equal_range("Content-Length");
  const auto encodings = request.headers.equal_range("Transfer-Encoding");
  const bool has_length = lengths.first != lengths.second;
  const bool has_transfer_encoding = encodings.first != encodings.second;
  if (has_length && has_transfer_encoding) {
    return std::unexpected(
        Malformed("Content-Length and Transfer-Encoding together make the body's length "
                  "ambiguous; send one of them"));
  }
  BodyFraming framing;
  if (has_transfer_encoding) {
    if (std::next(encodings.first) != encodings.second ||
        !EqualsIgnoringCase(Trimmed(encodings.first->second), "chunked")) {
      return std::unexpected(Malformed("Transfer-Encoding must be chunked, and only chunked"));
    }
    framing.chunked = true;
  } else if (has_length) {
    if (std::next(lengths.first) != lengths.second) {
      return std::unexpected(Malformed("Content-Length must be sent once"));
    }
    const std::string_view text = Trimmed(lengths.first->second);
    if (text.empty() || text.size() > 19 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::unexpected(Malformed("Content-Length must be a number of bytes in digits"));
    }
    framing.content_length = std::stoull(std::string(text));
  }
  return framing;
}

std::optional<HeadRefusal> RefuseBody(const HttpRequest& request, const BodyFraming& framing,
                                      std::size_t max_body_bytes) {
  for (auto [it, end] = request.headers.equal_range("Content-Encoding"); it != end; ++it) {
    if (!EqualsIgnoringCase(Trimmed(it->second), "identity")) {
      return HeadRefusal{415,
                         {ErrorKind::kInvalidArgument, "unsupported_content_encoding",
                          "Content-Encoding " + std::string(Trimmed(it->second)) +
                              " is not accepted; send the body unencoded",
                          "Content-Encoding"}};
    }
  }
  if (!framing.chunked && framing.content_length > max_body_bytes) {
    return BodyTooLarge(max_body_bytes);
  }
  return std::nullopt;
}

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length;
    char32_t code_point;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code_point = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code_point = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code_point = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < smallest[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;  // overlong, past Unicode, or a surrogate
    }
    i += length;
  }
  return true;
}

}  // namespace recur
