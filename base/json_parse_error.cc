#include "base/json_parse_error.h"

#include <algorithm>

namespace recur {

namespace {

// The line and column of the character at `offset` (0-based) of `text`.
JsonParseErrorDescription At(std::string_view text, std::size_t offset) {
  JsonParseErrorDescription description;
  const std::size_t end = std::min(offset, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++description.line;
      description.column = 1;
    } else {
      ++description.column;
    }
  }
  return description;
}

// Where `token` first stands in `text` outside a JSON string; text.size() when nowhere.
std::size_t FindOutsideStrings(std::string_view text, std::string_view token) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (in_string) {
      if (text[i] == '\\') {
        ++i;
      } else if (text[i] == '"') {
        in_string = false;
      }
    } else if (text[i] == '"') {
      in_string = true;
    } else if (text.substr(i).starts_with(token)) {
      return i;
    }
  }
  return text.size();
}

}  // namespace

JsonParseErrorDescription DescribeJsonParseError(const nlohmann::json::parse_error& error,
                                                 std::string_view text) {
  // error.byte is 1-based: the position of the character that could not be parsed.
  JsonParseErrorDescription description = At(text, error.byte == 0 ? 0 : error.byte - 1);
  // what() reads "[json.exception.parse_error.101] parse error at line L, column C: REASON".
  const std::string what = error.what();
  const std::size_t column = what.find("column ");
  const std::size_t colon = what.find(": ", column == std::string::npos ? 0 : column);
  description.reason = colon == std::string::npos ? what : what.substr(colon + 2);
  return description;
}

JsonParseErrorDescription DescribeJsonParseError(const nlohmann::json::out_of_range& error,
                                                 std::string_view text) {
  // what() reads "[json.exception.out_of_range.406] number overflow parsing '1e400'".
  const std::string what = error.what();
  const std::size_t open = what.find('\'');
  const std::size_t close = what.rfind('\'');
  if (error.id != 406 || open == std::string::npos || close <= open + 1) {
    JsonParseErrorDescription description;
    const std::size_t prefix_end = what.find("] ");
    description.reason = prefix_end == std::string::npos ? what : what.substr(prefix_end + 2);
    return description;
  }
  const std::string_view number = std::string_view(what).substr(open + 1, close - open - 1);
  JsonParseErrorDescription description = At(text, FindOutsideStrings(text, number));
  description.reason = "the number " + std::string(number) + " is out of range";
  return description;
}

}  // namespace recur
