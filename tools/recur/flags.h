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
#include "domain/subscriptions/lifecycle.h"

namespace recur {

struct ParsedFlags {
  std::map<std::string, std::string, std::less<>> values;
  std::map<std::string, std::vector<std::string>, std::less<>> lists;  // repeatable flags
  std::vector<std::string> positional;
  // Read from a configuration file (config_file.h), below the flags and the environment.
  std::map<std::string, std::string, std::less<>> file_values;
  std::map<std::string, std::vector<std::string>, std::less<>> file_lists;

  std::string Get(std::string_view name, std::string fallback) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
};

// `known` lists flag names without the leading "--"; those in `repeatable` may be given more
// than once and collect in `lists`; `switches` take no value ("--json") and read "true".
Result<ParsedFlags> ParseFlags(std::span<const std::string> args,
                               std::span<const std::string_view> known,
                               std::span<const std::string_view> repeatable = {},
                               std::span<const std::string_view> switches = {});

// Whether `args` ask for a command's usage: one of them is "-h" or "--help". The command then
// prints its usage on stdout and exits 0, whatever else was given.
bool AsksForHelp(std::span<const std::string> args);

// A flag's value, else the environment variable's, else the configuration file's, else the
// fallback.
std::string FlagOrEnvironment(const ParsedFlags& flags, std::string_view flag, const char* variable,
                              std::string fallback);

// Where a setting was given, named as the operator gave it ("--FLAG", the environment
// variable, or "FLAG in the configuration file"), in FlagOrEnvironment's order; empty when it
// was not given at all.
std::optional<std::string> WhereGiven(const ParsedFlags& flags, std::string_view flag,
                                      const char* variable);

// A library's error about a setting, told as the operator gave the setting: "--FLAG: " before
// the message, which names the setting but not the flag, and the flag's name as the param.
Error AboutFlag(std::string_view flag, Error error);

// The lifecycle settings shared by serve and simulate: --dunning-retries /
// RECUR_DUNNING_RETRIES and --past-due-access / RECUR_PAST_DUE_ACCESS.
Result<LifecycleOptions> ReadLifecycleOptions(const ParsedFlags& flags);

}  // namespace recur
