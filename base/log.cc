#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include <date/date.h>

#include "base/decimal_text.h"

namespace recur {

std::string FormatRfc3339(Instant t) {
  // date::format("%FT%TZ") builds a stream and a locale on every call, which made it a third
  // of the cost of an access-log line. The date library still takes the instant apart; only
  // the printing of its fields is done here.
  const auto day = date::floor<date::days>(t);
  const date::year_month_day date(day);
  const date::hh_mm_ss time(t - day);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long long>(time.hours().count()),
                static_cast<long long>(time.minutes().count()),
                static_cast<long long>(time.seconds().count()),
                static_cast<long long>(time.subseconds().count()));
  return text;
}

namespace {

constexpr auto kReplaceInvalidUtf8 = nlohmann::json::error_handler_t::replace;

void WriteLine(std::string text) {
  text.push_back('\n');
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data() + written, text.size() - written);
    if (n <= 0) return;  // nowhere left to report a failing stderr
    written += static_cast<std::size_t>(n);
  }
}

std::string JsonText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, kReplaceInvalidUtf8);
}

// The request this thread serves (LogRequestScope); empty when none.
thread_local std::string_view current_request_id;

std::atomic<LogLevel> least_level = LogLevel::kInfo;

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return std::nullopt;
}

void SetLogLevel(LogLevel least) { least_level.store(least, std::memory_order_relaxed); }

bool LogEnabled(std::string_view level) {
  const std::optional<LogLevel> parsed = ParseLogLevel(level);
  return !parsed || *parsed >= least_level.load(std::memory_order_relaxed);
}

LogRequestScope::LogRequestScope(std::string_view request_id) : previous_(current_request_id) {
  current_request_id = request_id;
}

LogRequestScope::~LogRequestScope() { current_request_id = previous_; }

void Log(Instant now, std::string_view level, std::string_view event, nlohmann::json fields) {
  if (!LogEnabled(level)) return;
  if (!fields.is_object()) fields = nlohmann::json::object();
  // The caller's fields win, as they always have; emplace keeps one that is there.
  fields.emplace("time", FormatRfc3339(now));
  fields.emplace("level", level);
  fields.emplace("event", event);
  if (!current_request_id.empty()) fields.emplace("request_id", current_request_id);
  WriteLine(JsonText(fields));
}

LogLine::LogLine(std::string_view level, std::string_view event) : level_(level), event_(event) {
  members_.reserve(256);
}

void LogLine::AddKey(std::string_view key) {
  members_ += ",\"";
  members_ += key;
  members_ += "\":";
}

LogLine& LogLine::AddString(std::string_view key, std::string_view value) {
  AddKey(key);
  members_ += JsonText(value);
  return *this;
}

LogLine& LogLine::AddInteger(std::string_view key, std::int64_t value) {
  AddKey(key);
  AppendDecimal(members_, value);
  return *this;
}

LogLine& LogLine::AddNumber(std::string_view key, double value) {
  AddKey(key);
  members_ += JsonText(value);
  return *this;
}

std::string LogLine::Text(Instant now) const {
  std::string text;
  text.reserve(64 + members_.size());
  text += R"({"time":")";
  text += FormatRfc3339(now);
  text += R"(","level":")";
  text += level_;
  text += R"(","event":")";
  text += event_;
  text += '"';
  if (!current_request_id.empty()) {
    text += R"(,"request_id":)";
    text += JsonText(current_request_id);
  }
  text += members_;
  text += '}';
  return text;
}

void LogLine::Write(Instant now) const {
  if (LogEnabled(level_)) WriteLine(Text(now));
}

}  // namespace recur
