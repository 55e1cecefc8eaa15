#include "tools/recur/flags.h"

#include <algorithm>
#include <cstdlib>

#include "base/duration_text.h"
#include "base/suggest.h"

namespace recur {

Result<ParsedFlags> ParseFlags(std::span<const std::string> args,
                               std::span<const std::string_view> known,
                               std::span<const std::string_view> repeatable,
                               std::span<const std::string_view> switches) {
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
    if (std::find(switches.begin(), switches.end(), name) != switches.end()) {
      if (value) {
        return MakeError(ErrorKind::kInvalidArgument, "unexpected_value",
                         "flag --" + name + " takes no value", name);
      }
      if (!flags.values.emplace(name, "true").second) {
        return MakeError(ErrorKind::kInvalidArgument, "repeated_flag",
                         "flag --" + name + " is given twice", name);
      }
      continue;
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

bool AsksForHelp(std::span<const std::string> args) {
  return std::any_of(args.begin(), args.end(),
                     [](const std::string& arg) { return arg == "-h" || arg == "--help"; });
}

std::string FlagOrEnvironment(const ParsedFlags& flags, std::string_view flag, const char* variable,
                              std::string fallback) {
  if (flags.values.contains(flag)) return flags.Get(flag, fallback);
  if (const char* value = std::getenv(variable)) return value;
  if (auto in_file = flags.file_values.find(flag); in_file != flags.file_values.end()) {
    return in_file->second;
  }
  return fallback;
}

std::optional<std::string> WhereGiven(const ParsedFlags& flags, std::string_view flag,
                                      const char* variable) {
  if (flags.values.contains(flag)) return "--" + std::string(flag);
  if (std::getenv(variable) != nullptr) return std::string(variable);
  if (flags.file_values.contains(flag)) return std::string(flag) + " in the configuration file";
  return std::nullopt;
}

Error AboutFlag(std::string_view flag, Error error) {
  error.message = "--" + std::string(flag) + ": " + error.message;
  error.param = flag;
  return error;
}

Result<LifecycleOptions> ReadLifecycleOptions(const ParsedFlags& flags) {
  LifecycleOptions options;
  const std::string retries =
      FlagOrEnvironment(flags, "dunning-retries", "RECUR_DUNNING_RETRIES", "1d,3d,5d,7d");
  auto parsed = ParseDurationList(retries);
  bool increasing = parsed && !parsed->empty();
  for (std::size_t i = 1; increasing && i < parsed->size(); ++i) {
    increasing = (*parsed)[i] > (*parsed)[i - 1];
  }
  if (!increasing) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_dunning_retries",
                     "--dunning-retries must list one or more increasing delays after the "
                     "failed charge, like 1d,3d,5d,7d or 12h,2d, got \"" +
                         retries + "\"",
                     "dunning-retries");
  }
  options.dunning_retries = *parsed;
  const std::string access =
      FlagOrEnvironment(flags, "past-due-access", "RECUR_PAST_DUE_ACCESS", "keep");
  if (access != "keep" && access != "revoke") {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_past_due_access",
                     "--past-due-access must be keep or revoke, got \"" + access + "\"",
                     "past-due-access");
  }
  options.past_due_keeps_access = access == "keep";
  return options;
}

}  // namespace recur
