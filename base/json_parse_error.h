// Readable descriptions of nlohmann::json parse errors, for messages that point at the place
// in the text: the line and column of the error and the parser's reason without its prefix.
// A caller of nlohmann::json::parse catches both parse_error and out_of_range (a number out of
// range), and describes either.
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

// The parser refuses a number beyond the range of a double ("1e400") with out_of_range (406)
// instead of a parse_error, and without its position: this finds the number in `text` (the
// first occurrence outside a string, where the parser stopped) and says "the number 1e400 is
// out of range". Other out_of_range errors keep their reason, at line 1, column 1.
JsonParseErrorDescription DescribeJsonParseError(const nlohmann::json::out_of_range& error,
                                                 std::string_view text);

}  // namespace recur
