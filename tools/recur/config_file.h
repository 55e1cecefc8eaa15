// `recur serve --config FILE` (or RECUR_CONFIG): the settings of the serve flags written in a TOML
// file, each key named as its flag without the dashes before it:
//
//     db = "/var/lib/recur/recur.db"
//     addr = "0.0.0.0:8080"
//     db-pool = 8
//     webhook-allow-cidr = ["10.0.0.0/8", "192.168.0.0/16"]
//
// A key takes a string or a whole number (read as the flag's text would be); a repeatable flag's
// key takes a list of them (or one). Everything else is refused, changing nothing: a syntax
// error, an unknown key, a table, or a value of another type, each with the file, the line and
// the key. The values read go into ParsedFlags::file_values / file_lists, below the flags and the
// environment (flags.h: FlagOrEnvironment).
// Parsed with toml++ (Debian's libtomlplusplus-dev). Functions only; safe from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "tools/recur/flags.h"

namespace recur {

// Reads the TOML file at `path` into `flags`' file values; `known` and `repeatable` are the
// command's flags, as ParseFlags takes them. Errors are kInvalidArgument "invalid_config",
// param "config", their message starting "PATH:LINE: ".
Status ReadConfigFile(const std::string& path, std::span<const std::string_view> known,
                      std::span<const std::string_view> repeatable, ParsedFlags& flags);

}  // namespace recur
