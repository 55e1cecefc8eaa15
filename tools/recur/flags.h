// Command-line flags of the recur subcommands: "--name value" or "--name=value", each known
// flag at most once, positional arguments kept in order. Unknown flags are errors that suggest
// the closest known one.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace recur {

struct ParsedFlags {
  std::map<std::string, std::string, std::less<>> values;
  std::map<std::string, std::vector<std::string>, std::less<>> lists;  // repeatable flags
  std::vector<std::string> positional;

  std::string Get(std::string_view name, std::string fallback) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
};

// `known` lists flag names without the leading "--"; those in `repeatable` may be given more
// than once and collect in `lists`.
Result<ParsedFlags> ParseFlags(std::span<const std::string> args,
                               std::span<const std::string_view> known,
                               std::span<const std::string_view> repeatable = {});

}  // namespace recur
