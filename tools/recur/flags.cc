#include "tools/recur/flags.h"

#include <algorithm>

#include "base/suggest.h"

namespace recur {

Result<ParsedFlags> ParseFlags(std::span<const std::string> args,
                               std::span<const std::string_view> known,
                               std::span<const std::string_view> repeatable) {
  ParsedFlags flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      flags.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    }
    if (std::find(known.begin(), known.end(), name) == known.end() &&
        std::find(repeatable.begin(), repeatable.end(), name) == repeatable.end()) {
      std::string message = "unknown flag --" + name;
      if (auto match = ClosestMatch(name, known))
        message += "; did you mean --" + std::string(*match) + "?";
      return MakeError(ErrorKind::kInvalidArgument, "unknown_flag", message, name);
    }
    if (!value) {
      if (i + 1 == args.size()) {
        return MakeError(ErrorKind::kInvalidArgument, "missing_value",
                         "flag --" + name + " needs a value", name);
      }
      value = args[++i];
    }
    if (std::find(repeatable.begin(), repeatable.end(), name) != repeatable.end()) {
      flags.lists[name].push_back(*value);
      continue;
    }
    if (!flags.values.emplace(name, *value).second) {
      return MakeError(ErrorKind::kInvalidArgument, "repeated_flag",
                       "flag --" + name + " is given twice", name);
    }
  }
  return flags;
}

}  // namespace recur
