// recur simulate: runs the real engine on a simulated clock. `scenario` replays a scenario file
// and prints its timeline (optionally delivering each event to a handler); `cohort` simulates
// synthetic payers under several trial designs (simulate/cohort_*.h).
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "simulate/event_delivery.h"
#include "simulate/scenario.h"
#include "simulate/scenario_runner.h"
#include "tools/recur/commands.h"
#include "tools/recur/flags.h"

namespace recur {
namespace {

constexpr const char* kScenarioUsage =
    "usage: recur simulate scenario FILE [--plans PATH] [--payloads] [--json] [--seed N]\n"
    "           [--deliver URL --secret whsec_... [--pace DURATION]]\n"
    "           [--dunning-retries LIST] [--past-due-access keep|revoke]\n";

constexpr std::array<std::string_view, 7> kScenarioFlags = {
    "plans", "seed", "deliver", "secret", "pace", "dunning-retries", "past-due-access"};
constexpr std::array<std::string_view, 2> kScenarioSwitches = {"payloads", "json"};

int Usage(const char* command, const std::string& problem, const char* usage) {
  std::fprintf(stderr, "recur simulate %s: %s\n%s", command, problem.c_str(), usage);
  return 2;
}

// "250ms", "2s": real time between deliveries.
std::optional<std::chrono::milliseconds> ParsePace(std::string_view text) {
  std::int64_t count = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  const std::string_view unit(end, text.data() + text.size());
  if (error != std::errc() || count < 0 || count > 3'600'000) return std::nullopt;
  if (unit == "ms") return std::chrono::milliseconds(count);
  if (unit == "s") return std::chrono::seconds(count);
  return std::nullopt;
}

std::optional<std::uint64_t> ParseSeed(std::string_view text) {
  std::uint64_t seed = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return seed;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorKind::kNotFound, "file_not_readable", "cannot read " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int RunScenarioCommand(std::span<const std::string> args) {
  auto flags = ParseFlags(args, kScenarioFlags, {}, kScenarioSwitches);
  if (!flags) return Usage("scenario", flags.error().message, kScenarioUsage);
  if (flags->positional.size() != 1) {
    return Usage("scenario",
                 flags->positional.empty() ? "which scenario file?"
                                           : "unexpected argument " + flags->positional[1],
                 kScenarioUsage);
  }
  ScenarioRunOptions options;
  options.plans_path = flags->Get("plans", "plans");
  auto lifecycle = ReadLifecycleOptions(*flags);
  if (!lifecycle) return Usage("scenario", lifecycle.error().message, kScenarioUsage);
  options.lifecycle = *lifecycle;
  auto seed = ParseSeed(flags->Get("seed", "1"));
  if (!seed)
    return Usage("scenario", "--seed must be a whole number from 0 to 2^64-1", kScenarioUsage);
  options.seed = *seed;
  const bool payloads = flags->values.contains("payloads");
  const bool json = flags->values.contains("json");

  SystemClock real_clock;
  std::optional<EventDelivery> delivery;
  std::chrono::milliseconds pace{0};
  if (flags->values.contains("deliver") != flags->values.contains("secret")) {
    return Usage("scenario", "--deliver and --secret go together", kScenarioUsage);
  }
  if (flags->values.contains("pace") && !flags->values.contains("deliver")) {
    return Usage("scenario", "--pace needs --deliver", kScenarioUsage);
  }
  if (flags->values.contains("deliver")) {
    auto made =
        EventDelivery::Make(flags->Get("deliver", ""), flags->Get("secret", ""), real_clock);
    if (!made) return Usage("scenario", made.error().message, kScenarioUsage);
    delivery.emplace(std::move(*made));
    auto parsed_pace = ParsePace(flags->Get("pace", "0ms"));
    if (!parsed_pace) {
      return Usage("scenario", "--pace must be like 250ms or 2s (at most an hour)", kScenarioUsage);
    }
    pace = *parsed_pace;
  }

  const std::string& path = flags->positional[0];
  auto text = ReadFile(path);
  if (!text) {
    std::fprintf(stderr, "recur simulate scenario: %s\n", text.error().message.c_str());
    return 1;
  }
  auto scenario = ParseScenario(*text, path);
  if (!scenario) {
    std::fprintf(stderr, "%s\n", scenario.error().message.c_str());
    return 1;
  }

  int sent = 0, refused = 0;
  auto print = [&](TimelineEntry& entry) {
    if (entry.is_event() && delivery) {
      if (sent > 0 && pace.count() > 0) std::this_thread::sleep_for(pace);
      entry.delivery = delivery->Deliver(entry.event_id, entry.body);
      ++sent;
      if (!entry.delivery->delivered()) ++refused;
    }
    const std::string line =
        json ? FormatTimelineJson(entry, payloads) : FormatTimelineText(entry, payloads);
    std::fputs((line + "\n").c_str(), stdout);
    std::fflush(stdout);
  };
  auto ran = RunScenario(*scenario, path, options, print);
  if (!ran) {
    std::fprintf(stderr, "%s\n", ran.error().message.c_str());
    return 1;
  }
  if (delivery) {
    std::fprintf(stderr, "recur simulate scenario: %d events delivered, %d not answered with 2xx\n",
                 sent - refused, refused);
    if (refused > 0) return 1;
  }
  return 0;
}

}  // namespace

int RunSimulate(std::span<const std::string> args) {
  if (!args.empty() && args[0] == "scenario") return RunScenarioCommand(args.subspan(1));
  std::fprintf(stderr, "%s", kScenarioUsage);
  return 2;
}

}  // namespace recur
