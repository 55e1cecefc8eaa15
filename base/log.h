// Structured logs: one JSON object per line on stderr, written with a single write so lines
// from different threads never interleave. Every line has "time" (RFC 3339, UTC, from the
// caller's clock), "level" and "event", "request_id" while its thread serves a request
// (LogRequestScope); the caller adds its own fields. Lines less severe than the level set
// (SetLogLevel; info unless set) are not written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace recur {

std::string FormatRfc3339(Instant t);  // "2026-11-26T06:53:16.123Z"

// The levels a line may have, least severe first; a line's level is written by its name
// ("debug", "info", "warn", "error").
enum class LogLevel { kDebug, kInfo, kWarn, kError };

// The level named `name`; none for any other text.
std::optional<LogLevel> ParseLogLevel(std::string_view name);

// Lines below `least` are dropped from then on. Set once at start, before other threads log;
// reading it is a relaxed atomic load, safe from any thread.
void SetLogLevel(LogLevel least);

// Whether a line of level `level` would be written now; a name that is not a level always is.
// For a caller to skip building a line nobody will see.
bool LogEnabled(std::string_view level);

void Log(Instant now, std::string_view level, std::string_view event,
         nlohmann::json fields = nlohmann::json::object());

// While one lives, every line its thread logs (Log and LogLine) names `request_id`: the HTTP
// server opens one around the work of each request (http/request_id.h). Scopes nest; the
// innermost wins, and the outer one is back when it ends. `request_id` must outlive the scope.
class LogRequestScope {
 public:
  explicit LogRequestScope(std::string_view request_id);
  ~LogRequestScope();
  LogRequestScope(const LogRequestScope&) = delete;
  LogRequestScope& operator=(const LogRequestScope&) = delete;

 private:
  std::string_view previous_;
};

// The same line written member by member instead of from a tree, for lines written on every
// request, where building and dumping a tree was most of the line's cost: "time", "level" and
// "event" first, then the members in the order added. The level, the event and the keys are
// the caller's identifiers and are written as given; string values are escaped and numbers
// printed by nlohmann, bytes that are not UTF-8 replaced as Log replaces them.
class LogLine {
 public:
  LogLine(std::string_view level, std::string_view event);
  LogLine& AddString(std::string_view key, std::string_view value);
  LogLine& AddInteger(std::string_view key, std::int64_t value);
  LogLine& AddNumber(std::string_view key, double value);
  std::string Text(Instant now) const;  // the line, without its newline
  void Write(Instant now) const;

 private:
  void AddKey(std::string_view key);

  std::string_view level_;
  std::string_view event_;
  std::string members_;
};

}  // namespace recur
