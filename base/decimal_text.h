// An integer written in decimal digits, as JSON and people read it ("-42"), appended to a
// string without a stream or a temporary string.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

namespace recur {

inline void AppendDecimal(std::string& out, std::int64_t value) {
  char digits[20];  // INT64_MIN is a sign and 19 digits
  out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
}

}  // namespace recur
