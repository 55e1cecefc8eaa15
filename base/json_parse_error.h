// Readable descriptions of nlohmann::json parse errors, for messages that point at the place
// in the text: the line and column of the error and the parser's reason without its prefix.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace recur {

struct JsonParseErrorDescription {
  std::size_t line = 1;
  std::size_t column = 1;
  std::string reason;  // e.g. "syntax error while parsing value - unexpected end of input; ..."
};

JsonParseErrorDescription DescribeJsonParseError(const nlohmann::json::parse_error& error,
                                                 std::string_view text);

}  // namespace recur
