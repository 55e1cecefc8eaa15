// recur simulate: runs the real engine on a simulated clock. `scenario` replays a scenario file
// and prints its timeline (optionally delivering each event to a handler); `cohort` simulates
// synthetic payers under several trial designs (simulate/cohort_*.h).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "simulate/cohort_model.h"
#include "simulate/cohort_report.h"
#include "simulate/cohort_simulation.h"
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
  std::chrono::milliseconds pace;
  if (unit == "ms") {
    pace = std::chrono::milliseconds(count);
  } else if (unit == "s") {
    pace = std::chrono::seconds(count);
  } else {
    return std::nullopt;
  }
  if (pace > std::chrono::hours(1)) return std::nullopt;
  return pace;
}

// --seed, default 1.
Result<std::uint64_t> ReadSeed(const ParsedFlags& flags) {
  const std::string text = flags.Get("seed", "1");
  std::uint64_t seed = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (error != std::errc() || end != text.data() + text.size()) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_seed",
                     "--seed must be a whole number from 0 to 2^64-1", "seed");
  }
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
  if (AsksForHelp(args)) {
    std::fputs(kScenarioUsage, stdout);
    return 0;
  }
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
  auto seed = ReadSeed(*flags);
  if (!seed) return Usage("scenario", seed.error().message, kScenarioUsage);
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

constexpr const char* kCohortUsage =
    "usage: recur simulate cohort [--payers N] [--days D] [--seed S] [--start DATE]\n"
    "           [--arrival-days A] [--design days=N,card=yes|no[,conversion=P][,name=X] ...]\n"
    "           [--mix plan[/annual]:weight,...] [--trial-cancel P] [--churn P] [--failure P]\n"
    "           [--recovery P] [--report-days D1,D2,...] [--json] [--report FILE.html]\n"
    "           [--plans PATH] [--threads N] [--dunning-retries LIST] [--past-due-access ...]\n";

constexpr std::array<std::string_view, 16> kCohortFlags = {
    "payers",         "days",         "seed",
    "start",          "arrival-days", "mix",
    "trial-cancel",   "churn",        "failure",
    "recovery",       "report-days",  "report",
    "plans",          "threads",      "dunning-retries",
    "past-due-access"};
constexpr std::array<std::string_view, 1> kCohortRepeatable = {"design"};
constexpr std::array<std::string_view, 1> kCohortSwitches = {"json"};

Result<std::int64_t> ParseCount(const ParsedFlags& flags, std::string_view name,
                                std::int64_t fallback, std::int64_t high) {
  auto value = ParseWholeNumber(flags.Get(name, std::to_string(fallback)), "--" + std::string(name),
                                1, high);
  if (!value) {
    Error error = value.error();
    error.param = name;
    return std::unexpected(error);
  }
  return value;
}

// The model from the flags, over the defaults.
Result<CohortModel> ReadCohortModel(const ParsedFlags& flags) {
  CohortModel model = CohortModel::Defaults();
  auto payers = ParseCount(flags, "payers", model.payers, 10'000'000);
  if (!payers) return std::unexpected(payers.error());
  model.payers = *payers;
  auto days = ParseCount(flags, "days", model.days, 3660);
  if (!days) return std::unexpected(days.error());
  model.days = static_cast<int>(*days);
  auto arrival = ParseCount(flags, "arrival-days", model.days, model.days);
  if (!arrival) return std::unexpected(arrival.error());
  model.arrival_days = static_cast<int>(*arrival);
  auto seed = ReadSeed(flags);
  if (!seed) return std::unexpected(seed.error());
  model.seed = *seed;
  if (flags.values.contains("start")) {
    auto start = ParseScenarioTime(flags.Get("start", ""));
    if (!start) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_start",
                       "--start must be a UTC time like 2027-01-01 or 2027-01-01T09:00Z", "start");
    }
    model.start = *start;
  }
  if (auto it = flags.lists.find("design"); it != flags.lists.end()) {
    model.designs.clear();
    for (const std::string& text : it->second) {
      auto design = ParseTrialDesign(text);
      if (!design) return std::unexpected(AboutFlag("design", design.error()));
      for (const TrialDesign& other : model.designs) {
        if (other.name == design->name) {
          return MakeError(ErrorKind::kInvalidArgument, "invalid_design",
                           "two designs are named " + design->name + "; add name=... to one",
                           "design");
        }
      }
      model.designs.push_back(*design);
    }
  }
  if (flags.values.contains("mix")) {
    auto mix = ParsePlanMix(flags.Get("mix", ""));
    if (!mix) return std::unexpected(AboutFlag("mix", mix.error()));
    model.mix = *mix;
  }
  for (auto [flag, field] :
       {std::pair{"trial-cancel", &model.trial_cancel}, std::pair{"churn", &model.monthly_churn},
        std::pair{"failure", &model.payment_failure}, std::pair{"recovery", &model.recovery}}) {
    if (!flags.values.contains(flag)) continue;
    auto value = ParseProbability(flags.Get(flag, ""), std::string("--") + flag);
    if (!value) return std::unexpected(value.error());
    *field = *value;
  }
  std::erase_if(model.report_days, [&](int day) { return day > model.days; });
  if (model.report_days.empty() || model.report_days.back() != model.days) {
    model.report_days.push_back(model.days);
  }
  if (flags.values.contains("report-days")) {
    auto report_days = ParseReportDays(flags.Get("report-days", ""), model.days);
    if (!report_days) return std::unexpected(AboutFlag("report-days", report_days.error()));
    model.report_days = *report_days;
  }
  return model;
}

int RunCohortCommand(std::span<const std::string> args) {
  if (AsksForHelp(args)) {
    std::fputs(kCohortUsage, stdout);
    return 0;
  }
  auto flags = ParseFlags(args, kCohortFlags, kCohortRepeatable, kCohortSwitches);
  if (!flags) return Usage("cohort", flags.error().message, kCohortUsage);
  if (!flags->positional.empty()) {
    return Usage("cohort", "unexpected argument " + flags->positional[0], kCohortUsage);
  }
  auto model = ReadCohortModel(*flags);
  if (!model) return Usage("cohort", model.error().message, kCohortUsage);
  CohortRunOptions options;
  options.plans_path = flags->Get("plans", "plans");
  auto lifecycle = ReadLifecycleOptions(*flags);
  if (!lifecycle) return Usage("cohort", lifecycle.error().message, kCohortUsage);
  options.lifecycle = *lifecycle;
  auto threads =
      ParseCount(*flags, "threads", std::max(1u, std::thread::hardware_concurrency()), 256);
  if (!threads) return Usage("cohort", threads.error().message, kCohortUsage);
  options.threads = static_cast<int>(*threads);

  const auto started = std::chrono::steady_clock::now();
  auto report = RunCohort(*model, options);
  if (!report) {
    // A run refuses a mix naming a plan it cannot sell (param "mix"): that is --mix.
    const Error error =
        report.error().param == "mix" ? AboutFlag("mix", report.error()) : report.error();
    std::fprintf(stderr, "recur simulate cohort: %s\n", error.message.c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string out = flags->values.contains("json") ? CohortReportJson(*report).dump(2) + "\n"
                                                         : FormatCohortTable(*report);
  std::fputs(out.c_str(), stdout);
  if (flags->values.contains("report")) {
    const std::string path = flags->Get("report", "");
    std::ofstream file(path, std::ios::binary);
    file << CohortReportHtml(*report);
    if (!file.flush()) {
      std::fprintf(stderr, "recur simulate cohort: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  // Timing goes to stderr so that stdout stays the same for the same seed.
  std::int64_t transitions = 0;
  for (const CohortDesignResult& design : report->designs) transitions += design.transitions;
  std::fprintf(stderr,
               "recur simulate cohort: %lld payers x %zu designs over %d days in %.1f s "
               "(%lld transitions, %.0f per second)\n",
               static_cast<long long>(model->payers), model->designs.size(), model->days, seconds,
               static_cast<long long>(transitions), static_cast<double>(transitions) / seconds);
  return 0;
}

}  // namespace

int RunSimulate(std::span<const std::string> args) {
  if (!args.empty() && args[0] == "scenario") return RunScenarioCommand(args.subspan(1));
  if (!args.empty() && args[0] == "cohort") return RunCohortCommand(args.subspan(1));
  if (AsksForHelp(args)) {
    std::printf("%s%s", kScenarioUsage, kCohortUsage);
    return 0;
  }
  if (!args.empty()) {
    std::fprintf(stderr, "recur simulate: unknown subcommand \"%s\"\n", args[0].c_str());
  }
  std::fprintf(stderr, "%s%s", kScenarioUsage, kCohortUsage);
  return 2;
}

}  // namespace recur
