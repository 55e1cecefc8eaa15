#include "base/json_parse_error.h"

#include <algorithm>

namespace recur {

JsonParseErrorDescription DescribeJsonParseError(const nlohmann::json::parse_error& error,
                                                 std::string_view text) {
  JsonParseErrorDescription description;
  // error.byte is 1-based: the position of the character that could not be parsed.
  const std::size_t end = std::min<std::size_t>(error.byte, text.size() + 1);
  for (std::size_t i = 0; i + 1 < end; ++i) {
    if (text[i] == '\n') {
      ++description.line;
      description.column = 1;
    } else {
      ++description.column;
    }
  }
  // what() reads "[json.exception.parse_error.101] parse error at line L, column C: REASON".
  const std::string what = error.what();
  const std::size_t column = what.find("column ");
  const std::size_t colon = what.find(": ", column == std::string::npos ? 0 : column);
  description.reason = colon == std::string::npos ? what : what.substr(colon + 2);
  return description;
}

}  // namespace recur
