// The text of `recur serve --help`: every flag of recur serve with its environment variable,
// its default and what it sets, from the table ServeFlagHelpTable(). A unit of the CLI only; the
// settings themselves are read in serve_settings.h, and serve_usage_test checks that the two
// name the same flags and variables.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace recur {

struct ServeFlagHelp {
  std::string_view flag;      // without the leading "--"
  std::string_view argument;  // what the value looks like: "FILE|POSTGRESQL", "RATE|off"
  std::string_view variable;  // the environment variable read when the flag is not given
  std::string_view fallback;  // the default, as it would be written; "" for none
  std::string_view what;      // what it sets, a line or two
};

// Every flag of recur serve, in the order --help lists them.
std::span<const ServeFlagHelp> ServeFlagHelpTable();

// The whole of `recur serve --help`.
std::string ServeUsage();

}  // namespace recur
