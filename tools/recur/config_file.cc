#include "tools/recur/config_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "base/suggest.h"

namespace recur {
namespace {

Error Refused(const std::string& path, std::size_t line, const std::string& what) {
  return {ErrorKind::kInvalidArgument, "invalid_config",
          path + ":" + std::to_string(line) + ": " + what, "config"};
}

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "a list";
    case toml::node_type::floating_point:
      return "a fraction";
    case toml::node_type::boolean:
      return "true or false";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date and time";
    default:
      return "a value of another type";
  }
}

// A string's text, or a whole number's digits; none for any other node.
std::optional<std::string> Text(const toml::node& node) {
  if (const auto* text = node.as_string()) return text->get();
  if (const auto* number = node.as_integer()) return std::to_string(number->get());
  return std::nullopt;
}

}  // namespace

Status ReadConfigFile(const std::string& path, std::span<const std::string_view> known,
                      std::span<const std::string_view> repeatable, ParsedFlags& flags) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_config",
                     "cannot read the configuration file " + path, "config");
  }
  std::ostringstream text;
  text << file.rdbuf();
  toml::table table;
  try {
    table = toml::parse(text.str(), path);
  } catch (const toml::parse_error& error) {
    return std::unexpected(Refused(path, error.source().begin.line,
                                   "not valid TOML: " + std::string(error.description())));
  }
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const std::size_t line = key.source().begin.line;
    const bool is_list = std::find(repeatable.begin(), repeatable.end(), name) != repeatable.end();
    if (!is_list && std::find(known.begin(), known.end(), name) == known.end()) {
      std::string message = "unknown key \"" + name + "\"";
      if (auto match = ClosestMatch(name, known)) {
        message += "; did you mean \"" + std::string(*match) + "\"?";
      }
      return std::unexpected(Refused(path, line, message));
    }
    if (const auto* list = node.as_array(); list != nullptr && is_list) {
      std::vector<std::string>& entries = flags.file_lists[name];
      for (const toml::node& entry : *list) {
        auto value = Text(entry);
        if (!value) {
          return std::unexpected(Refused(path, entry.source().begin.line,
                                         "key \"" + name +
                                             "\": each entry must be a string, "
                                             "got " +
                                             TypeName(entry)));
        }
        entries.push_back(std::move(*value));
      }
      continue;
    }
    auto value = Text(node);
    if (!value) {
      return std::unexpected(Refused(path, line,
                                     "key \"" + name + "\" must be a string or a whole number" +
                                         (is_list ? " (or a list of them)" : "") + ", got " +
                                         TypeName(node)));
    }
    if (is_list) {
      flags.file_lists[name].push_back(std::move(*value));
    } else {
      flags.file_values[name] = std::move(*value);
    }
  }
  return Ok();
}

}  // namespace recur
