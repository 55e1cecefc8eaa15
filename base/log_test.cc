#include "base/log.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <date/date.h>
#include <nlohmann/json.hpp>

namespace recur::log_test {
namespace {

TEST(FormatRfc3339, PrintsUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1'795'676'996'123)), "2026-11-26T07:09:56.123Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(951'782'400'007)), "2000-02-29T00:00:00.007Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(FormatRfc3339, AgreesWithTheDateLibrarysOwnFormat) {
  // Instants spread over four centuries, leap days and the millisecond included.
  for (std::int64_t ms = -5'000'000'000'000; ms < 8'000'000'000'000; ms += 7'777'777'777) {
    const Instant t = FromUnixMillis(ms);
    EXPECT_EQ(FormatRfc3339(t), date::format("%FT%TZ", t)) << ms;
  }
}

TEST(LogLine, WritesWhatLogWritesForTheSameFields) {
  const Instant now = FromUnixMillis(1'795'676'996'123);
  const std::string odd = "a \"quoted\" \\ path\n\x01 \xc3\xa9 \xff";  // \xff is not UTF-8
  testing::internal::CaptureStderr();
  Log(now, "info", "http_request",
      {{"path", odd}, {"status", 200}, {"bytes_out", -1}, {"duration_ms", 0.828}});
  const nlohmann::json by_tree = nlohmann::json::parse(testing::internal::GetCapturedStderr());

  LogLine line("info", "http_request");
  line.AddString("path", odd).AddInteger("status", 200).AddInteger("bytes_out", -1);
  line.AddNumber("duration_ms", 0.828);
  const std::string text = line.Text(now);
  EXPECT_EQ(nlohmann::json::parse(text), by_tree);
  EXPECT_EQ(text.rfind(R"({"time":"2026-11-26T07:09:56.123Z","level":"info",)", 0), 0u) << text;

  testing::internal::CaptureStderr();
  line.Write(now);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), text + "\n");
}

TEST(LogRequestScope, NamesTheRequestInEveryLineItsThreadWritesWhileItLives) {
  const Instant now = FromUnixMillis(1'795'676'996'123);
  const auto logged = [&] {
    testing::internal::CaptureStderr();
    Log(now, "info", "by_tree");
    LogLine("info", "by_members").AddInteger("n", 1).Write(now);
    std::vector<nlohmann::json> lines;
    std::istringstream text(testing::internal::GetCapturedStderr());
    for (std::string line; std::getline(text, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  };
  {
    const LogRequestScope outer("req_outer");
    {
      const LogRequestScope inner("req_inner");
      for (const nlohmann::json& line : logged()) EXPECT_EQ(line["request_id"], "req_inner");
    }
    for (const nlohmann::json& line : logged()) EXPECT_EQ(line["request_id"], "req_outer");
    std::thread([&] {
      for (const nlohmann::json& line : logged()) EXPECT_FALSE(line.contains("request_id"));
    }).join();
  }
  for (const nlohmann::json& line : logged()) EXPECT_FALSE(line.contains("request_id"));
}

TEST(LogLevel, ReadsTheFourLevelsByNameAndNothingElse) {
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("info"), LogLevel::kInfo);
  EXPECT_EQ(ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(ParseLogLevel("error"), LogLevel::kError);
  EXPECT_EQ(ParseLogLevel("warning"), std::nullopt);
  EXPECT_EQ(ParseLogLevel("INFO"), std::nullopt);
  EXPECT_EQ(ParseLogLevel(""), std::nullopt);
}

TEST(LogLevel, LinesBelowTheLevelSetAreNotWritten) {
  const Instant now = FromUnixMillis(0);
  SetLogLevel(LogLevel::kWarn);
  testing::internal::CaptureStderr();
  Log(now, "info", "dropped");
  LogLine("info", "dropped_too").Write(now);
  Log(now, "warn", "kept");
  LogLine("error", "kept_too").Write(now);
  const std::string written = testing::internal::GetCapturedStderr();
  SetLogLevel(LogLevel::kInfo);
  EXPECT_EQ(written.find("dropped"), std::string::npos) << written;
  EXPECT_NE(written.find("\"event\":\"kept\""), std::string::npos) << written;
  EXPECT_NE(written.find("\"event\":\"kept_too\""), std::string::npos) << written;
  EXPECT_FALSE(LogEnabled("debug"));
  EXPECT_TRUE(LogEnabled("info"));
}

}  // namespace
}  // namespace recur::log_test
