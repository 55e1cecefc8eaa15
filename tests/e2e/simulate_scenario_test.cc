// `recur simulate scenario` as a handler author runs it: the real binary on the shipped example
// scenarios (each one's exact timeline of events), reproducible output, delivery of every event
// to a real HTTP receiver with signatures a Standard Webhooks verifier accepts, and clear
// errors for bad scenario files.
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "domain/webhooks/signing.h"
#include "tests/e2e/recur_process.h"
#include "tests/support/webhook_receiver.h"

namespace recur::testing::simulate_scenario_test {
namespace {

using nlohmann::json;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string Scenarios() { return std::string(RECUR_SOURCE_DIR) + "/tools/scenarios/"; }

CommandResult Simulate(std::vector<std::string> args) {
  args.insert(args.begin(), {"simulate", "scenario"});
  args.insert(args.end(), {"--plans", std::string(RECUR_SOURCE_DIR) + "/plans"});
  return RunRecur(args);
}

std::vector<json> JsonLines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

// "2027-03-15 09:00 paymentAttempt.updated | recurring paid $20.00" per event.
std::vector<std::string> EventLines(const std::string& json_out) {
  std::vector<std::string> events;
  for (const json& entry : JsonLines(json_out)) {
    if (!entry.contains("event")) continue;
    std::string time = entry["time"].get<std::string>().substr(0, 16);
    time[10] = ' ';
    events.push_back(time + " " + entry["event"].get<std::string>() + " | " +
                     entry["summary"].get<std::string>());
  }
  return events;
}

// Every shipped example and the exact events it must print, in order.
const std::map<std::string, std::vector<std::string>>& ExpectedTimelines() {
  static const auto* expected = new std::map<std::string, std::vector<std::string>>{
      {"cancel-during-trial",
       {"2027-03-01 09:00 subscription.created | subscription active",
        "2027-03-01 09:00 subscriptionItem.active | free month active",
        "2027-03-01 09:00 subscriptionItem.active | pro month active, trial ends 2027-03-15 09:00",
        "2027-03-01 09:00 subscriptionItem.ended | free month ended",
        "2027-03-01 09:00 subscription.updated | subscription active",
        "2027-03-06 09:00 subscriptionItem.canceled | pro month canceled, trial ends 2027-03-15 "
        "09:00",
        "2027-03-06 09:00 subscriptionItem.upcoming | free month upcoming",
        "2027-03-06 09:00 subscription.updated | subscription active",
        "2027-03-15 09:00 subscriptionItem.ended | pro month ended",
        "2027-03-15 09:00 subscriptionItem.active | free month active",
        "2027-03-15 09:00 subscription.updated | subscription active"}},
      {"cardless-trial-lapses",
       {"2027-03-01 09:00 subscription.created | subscription active",
        "2027-03-01 09:00 subscriptionItem.active | org-free month active",
        "2027-03-01 09:00 subscriptionItem.active | team month active, trial ends 2027-03-15 09:00",
        "2027-03-01 09:00 subscriptionItem.ended | org-free month ended",
        "2027-03-01 09:00 subscription.updated | subscription active",
        "2027-03-12 09:00 subscriptionItem.freeTrialEnding | team month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-15 09:00 subscriptionItem.ended | team month ended",
        "2027-03-15 09:00 subscriptionItem.active | org-free month active",
        "2027-03-15 09:00 subscription.updated | subscription active"}},
      {"downgrade-at-period-end",
       {"2027-03-01 09:00 subscription.created | subscription active",
        "2027-03-01 09:00 subscriptionItem.active | free month active",
        "2027-03-01 09:00 paymentAttempt.created | checkout pending $50.00",
        "2027-03-01 09:00 paymentAttempt.updated | checkout paid $50.00",
        "2027-03-01 09:00 subscriptionItem.active | business month active, renews 2027-04-01 09:00",
        "2027-03-01 09:00 subscriptionItem.ended | free month ended",
        "2027-03-01 09:00 subscription.updated | subscription active",
        "2027-03-11 09:00 subscriptionItem.upcoming | pro month upcoming",
        "2027-03-11 09:00 subscription.updated | subscription active",
        "2027-04-01 09:00 subscriptionItem.ended | business month ended",
        "2027-04-01 09:00 subscriptionItem.active | pro month active, renews 2027-05-01 09:00",
        "2027-04-01 09:00 subscription.updated | subscription active",
        "2027-04-01 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-04-01 09:00 paymentAttempt.updated | recurring paid $20.00",
        "2027-04-01 09:00 subscriptionItem.updated | pro month active, renews 2027-05-01 09:00"}},
      {"leap-february-anchor",
       {"2028-01-31 12:00 subscription.created | subscription active",
        "2028-01-31 12:00 subscriptionItem.active | free month active",
        "2028-01-31 12:00 paymentAttempt.created | checkout pending $20.00",
        "2028-01-31 12:00 paymentAttempt.updated | checkout paid $20.00",
        "2028-01-31 12:00 subscriptionItem.active | pro month active, renews 2028-02-29 12:00",
        "2028-01-31 12:00 subscriptionItem.ended | free month ended",
        "2028-01-31 12:00 subscription.updated | subscription active",
        "2028-02-29 12:00 paymentAttempt.created | recurring pending $20.00",
        "2028-02-29 12:00 paymentAttempt.updated | recurring paid $20.00",
        "2028-02-29 12:00 subscriptionItem.updated | pro month active, renews 2028-03-31 12:00",
        "2028-03-31 12:00 paymentAttempt.created | recurring pending $20.00",
        "2028-03-31 12:00 paymentAttempt.updated | recurring paid $20.00",
        "2028-03-31 12:00 subscriptionItem.updated | pro month active, renews 2028-04-30 12:00",
        "2028-04-30 12:00 paymentAttempt.created | recurring pending $20.00",
        "2028-04-30 12:00 paymentAttempt.updated | recurring paid $20.00",
        "2028-04-30 12:00 subscriptionItem.updated | pro month active, renews 2028-05-31 12:00"}},
      {"trial-converts",
       {"2027-03-01 09:00 subscription.created | subscription active",
        "2027-03-01 09:00 subscriptionItem.active | free month active",
        "2027-03-01 09:00 subscriptionItem.active | pro month active, trial ends 2027-03-15 09:00",
        "2027-03-01 09:00 subscriptionItem.ended | free month ended",
        "2027-03-01 09:00 subscription.updated | subscription active",
        "2027-03-08 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-12 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-14 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-15 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-03-15 09:00 paymentAttempt.updated | recurring paid $20.00",
        "2027-03-15 09:00 subscriptionItem.updated | pro month active, renews 2027-04-15 09:00"}},
      {"trial-declines-never-recovers",
       {"2027-03-01 09:00 subscription.created | subscription active",
        "2027-03-01 09:00 subscriptionItem.active | free month active",
        "2027-03-01 09:00 subscriptionItem.active | pro month active, trial ends 2027-03-15 09:00",
        "2027-03-01 09:00 subscriptionItem.ended | free month ended",
        "2027-03-01 09:00 subscription.updated | subscription active",
        "2027-03-08 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-12 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-14 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-15 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-03-15 09:00 paymentAttempt.updated | recurring failed $20.00: Your card was "
        "declined.",
        "2027-03-15 09:00 subscriptionItem.pastDue | pro month past_due, renews 2027-04-15 09:00",
        "2027-03-15 09:00 subscription.pastDue | subscription past_due",
        "2027-03-16 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-03-16 09:00 paymentAttempt.updated | recurring failed $20.00: Your card was "
        "declined.",
        "2027-03-18 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-03-18 09:00 paymentAttempt.updated | recurring failed $20.00: Your card was "
        "declined.",
        "2027-03-20 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-03-20 09:00 paymentAttempt.updated | recurring failed $20.00: Your card was "
        "declined.",
        "2027-03-22 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-03-22 09:00 paymentAttempt.updated | recurring failed $20.00: Your card was "
        "declined.",
        "2027-03-22 09:00 subscriptionItem.ended | pro month ended",
        "2027-03-22 09:00 subscriptionItem.active | free month active",
        "2027-03-22 09:00 subscription.active | subscription active"}},
      {"trial-declines-then-recovers",
       {"2027-03-01 09:00 subscription.created | subscription active",
        "2027-03-01 09:00 subscriptionItem.active | free month active",
        "2027-03-01 09:00 subscriptionItem.active | pro month active, trial ends 2027-03-15 09:00",
        "2027-03-01 09:00 subscriptionItem.ended | free month ended",
        "2027-03-01 09:00 subscription.updated | subscription active",
        "2027-03-08 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-12 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-14 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-15 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-03-15 09:00 paymentAttempt.updated | recurring failed $20.00: Your card was "
        "declined.",
        "2027-03-15 09:00 subscriptionItem.pastDue | pro month past_due, renews 2027-04-15 09:00",
        "2027-03-15 09:00 subscription.pastDue | subscription past_due",
        "2027-03-16 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-03-16 09:00 paymentAttempt.updated | recurring failed $20.00: Your card was "
        "declined.",
        "2027-03-18 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-03-18 09:00 paymentAttempt.updated | recurring paid $20.00",
        "2027-03-18 09:00 subscriptionItem.active | pro month active, renews 2027-04-15 09:00",
        "2027-03-18 09:00 subscription.active | subscription active"}},
      {"trial-extended",
       {"2027-03-01 09:00 subscription.created | subscription active",
        "2027-03-01 09:00 subscriptionItem.active | free month active",
        "2027-03-01 09:00 subscriptionItem.active | pro month active, trial ends 2027-03-15 09:00",
        "2027-03-01 09:00 subscriptionItem.ended | free month ended",
        "2027-03-01 09:00 subscription.updated | subscription active",
        "2027-03-08 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-15 09:00",
        "2027-03-11 09:00 subscriptionItem.updated | pro month active, trial ends 2027-03-22 09:00",
        "2027-03-15 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-22 09:00",
        "2027-03-19 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-22 09:00",
        "2027-03-21 09:00 subscriptionItem.freeTrialEnding | pro month active, trial ends "
        "2027-03-22 09:00",
        "2027-03-22 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-03-22 09:00 paymentAttempt.updated | recurring paid $20.00",
        "2027-03-22 09:00 subscriptionItem.updated | pro month active, renews 2027-04-22 09:00"}},
      {"checkout-declined",
       {"2027-03-01 09:00 subscription.created | subscription active",
        "2027-03-01 09:00 subscriptionItem.active | free month active",
        "2027-03-01 09:00 paymentAttempt.created | checkout pending $20.00",
        "2027-03-01 09:00 paymentAttempt.updated | checkout failed $20.00: Your card was declined.",
        "2027-03-01 09:00 subscriptionItem.incomplete | pro month incomplete",
        "2027-03-01 09:00 paymentAttempt.created | checkout pending $20.00",
        "2027-03-01 09:00 paymentAttempt.updated | checkout paid $20.00",
        "2027-03-01 09:00 subscriptionItem.active | pro month active, renews 2027-04-01 09:00",
        "2027-03-01 09:00 subscriptionItem.ended | free month ended",
        "2027-03-01 09:00 subscription.updated | subscription active"}},
      {"resubscribe-before-period-end",
       {"2027-03-01 09:00 subscription.created | subscription active",
        "2027-03-01 09:00 subscriptionItem.active | free month active",
        "2027-03-01 09:00 paymentAttempt.created | checkout pending $20.00",
        "2027-03-01 09:00 paymentAttempt.updated | checkout paid $20.00",
        "2027-03-01 09:00 subscriptionItem.active | pro month active, renews 2027-04-01 09:00",
        "2027-03-01 09:00 subscriptionItem.ended | free month ended",
        "2027-03-01 09:00 subscription.updated | subscription active",
        "2027-03-11 09:00 subscriptionItem.canceled | pro month canceled, ends 2027-04-01 09:00",
        "2027-03-11 09:00 subscriptionItem.upcoming | free month upcoming",
        "2027-03-11 09:00 subscription.updated | subscription active",
        "2027-03-16 09:00 subscriptionItem.active | pro month active, renews 2027-04-01 09:00",
        "2027-03-16 09:00 subscriptionItem.abandoned | free month abandoned",
        "2027-03-16 09:00 subscription.updated | subscription active",
        "2027-04-01 09:00 paymentAttempt.created | recurring pending $20.00",
        "2027-04-01 09:00 paymentAttempt.updated | recurring paid $20.00",
        "2027-04-01 09:00 subscriptionItem.updated | pro month active, renews 2027-05-01 09:00"}},
      {"upgrade-mid-period",
       {"2027-03-01 09:00 subscription.created | subscription active",
        "2027-03-01 09:00 subscriptionItem.active | free month active",
        "2027-03-01 09:00 paymentAttempt.created | checkout pending $20.00",
        "2027-03-01 09:00 paymentAttempt.updated | checkout paid $20.00",
        "2027-03-01 09:00 subscriptionItem.active | pro month active, renews 2027-04-01 09:00",
        "2027-03-01 09:00 subscriptionItem.ended | free month ended",
        "2027-03-01 09:00 subscription.updated | subscription active",
        "2027-03-11 09:00 paymentAttempt.created | checkout pending $36.46 after a $13.54 "
        "proration credit",
        "2027-03-11 09:00 paymentAttempt.updated | checkout paid $36.46 after a $13.54 proration "
        "credit",
        "2027-03-11 09:00 subscriptionItem.active | business month active, renews 2027-04-11 09:00",
        "2027-03-11 09:00 subscriptionItem.ended | pro month ended",
        "2027-03-11 09:00 subscription.updated | subscription active"}},
  };
  return *expected;
}

class ExampleScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleScenario, PrintsItsExactEvents) {
  CommandResult run = Simulate({Scenarios() + GetParam() + ".scenario", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(EventLines(run.out), ElementsAreArray(ExpectedTimelines().at(GetParam())));
}

INSTANTIATE_TEST_SUITE_P(Shipped, ExampleScenario,
                         ::testing::Values("trial-converts", "trial-declines-then-recovers",
                                           "trial-declines-never-recovers", "cancel-during-trial",
                                           "trial-extended", "upgrade-mid-period",
                                           "downgrade-at-period-end", "leap-february-anchor",
                                           "cardless-trial-lapses", "checkout-declined",
                                           "resubscribe-before-period-end"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::erase(name, '-');
                           return name;
                         });

TEST(SimulateScenario, EveryShippedExampleHasItsTimelineChecked) {
  std::set<std::string> shipped;
  for (const auto& file : std::filesystem::directory_iterator(Scenarios())) {
    if (file.path().extension() == ".scenario") shipped.insert(file.path().stem().string());
  }
  std::set<std::string> checked;
  for (const auto& [name, events] : ExpectedTimelines()) checked.insert(name);
  EXPECT_EQ(shipped, checked);
}

TEST(SimulateScenario, TextTimelineShowsStepsAndEvents) {
  CommandResult run = Simulate({Scenarios() + "trial-converts.scenario"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("2027-03-01 09:00  alice     > subscribe alice pro\n"));
  EXPECT_THAT(run.out, HasSubstr("> advance 15d  (to 2027-03-16 09:00, 4 pieces of due work ran)"));
  EXPECT_THAT(run.out, HasSubstr("2027-03-15 09:00  alice        paymentAttempt.updated"
                                 "             recurring paid $20.00\n"));
}

TEST(SimulateScenario, TheSameSeedGivesTheSameBytes) {
  const std::string file = Scenarios() + "upgrade-mid-period.scenario";
  CommandResult first = Simulate({file, "--json", "--payloads"});
  CommandResult second = Simulate({file, "--json", "--payloads"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  CommandResult other = Simulate({file, "--json", "--payloads", "--seed", "2"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(first.out, other.out);  // other ids
  EXPECT_EQ(EventLines(first.out), EventLines(other.out));
  // The payload is the event's envelope as a webhook carries it.
  for (const json& entry : JsonLines(first.out)) {
    if (!entry.contains("event")) continue;
    EXPECT_EQ(entry["payload"]["type"], entry["event"]);
    EXPECT_EQ(entry["payload"]["object"], "event");
    EXPECT_EQ(entry["payload"]["timestamp"], entry["at"]);
  }
}

TEST(SimulateScenario, DeliversEveryEventSignedAndInOrder) {
  Receiver receiver;
  CommandResult run = Simulate({Scenarios() + "trial-declines-then-recovers.scenario", "--json",
                                "--payloads", "--deliver", receiver.Url(), "--secret", kSecret});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<json> events;
  for (const json& entry : JsonLines(run.out)) {
    if (entry.contains("event")) events.push_back(entry);
  }
  const std::vector<httplib::Request> received = receiver.Received();
  ASSERT_EQ(received.size(), events.size());
  ASSERT_EQ(received.size(), 18u);
  auto secret = DecodeWebhookSecret(kSecret);
  ASSERT_TRUE(secret);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const httplib::Request& request = received[i];
    const std::string id = events[i]["id"];
    EXPECT_EQ(request.get_header_value("webhook-id"), "msg_" + id.substr(4));
    EXPECT_EQ(request.get_header_value("svix-id"), request.get_header_value("webhook-id"));
    EXPECT_EQ(request.get_header_value("svix-signature"),
              request.get_header_value("webhook-signature"));
    EXPECT_TRUE(VerifyWebhook(*secret, request.get_header_value("webhook-id"),
                              request.get_header_value("webhook-timestamp"),
                              request.get_header_value("webhook-signature"), request.body, now));
    EXPECT_EQ(json::parse(request.body), events[i]["payload"]);
    EXPECT_EQ(events[i]["delivery"]["status"], 200);
  }
  EXPECT_THAT(run.err, HasSubstr("18 events delivered, 0 not answered with 2xx"));
}

TEST(SimulateScenario, ReportsWhatTheHandlerAnswered) {
  Receiver receiver;
  receiver.AnswerWith({200, 500});
  TempDir dir;
  WriteFile(dir / "one.scenario", "payer alice\n");
  CommandResult run = Simulate(
      {dir / "one.scenario", "--deliver", receiver.Url(), "--secret", kSecret, "--pace", "300ms"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out,
              HasSubstr("subscription.created               subscription active  -> 200 in "));
  EXPECT_THAT(run.out,
              HasSubstr("subscriptionItem.active            free month active  -> 500 in "));
  EXPECT_THAT(run.err, HasSubstr("1 events delivered, 1 not answered with 2xx"));
  const std::vector<ReceivedRequest> log = receiver.Log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_GE(log[1].arrived_at - log[0].arrived_at, std::chrono::milliseconds(300));
}

TEST(SimulateScenario, ABadFileNamesEveryProblemAndRunsNothing) {
  TempDir dir;
  WriteFile(dir / "bad.scenario",
            "payer alice\n"
            "card bob pm_card_visa\n"
            "subscribe alice pro weekly\n"
            "advance 3 days\n"
            "payer alice\n"
            "start 2027-01-01\n"
            "refund alice\n"
            "advance to 2026-01-01\n");
  CommandResult run = Simulate({dir / "bad.scenario"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  const std::string file = dir / "bad.scenario";
  EXPECT_THAT(run.err, HasSubstr(file + ":2: no payer \"bob\" yet"));
  EXPECT_THAT(run.err, HasSubstr(file + ":3: \"weekly\" is neither an interval"));
  EXPECT_THAT(run.err, HasSubstr(file + ":4: usage: advance DURATION, or advance to TIME"));
  EXPECT_THAT(run.err, HasSubstr(file + ":5: payer \"alice\" is declared already on line 1"));
  EXPECT_THAT(run.err, HasSubstr(file + ":6: start must come before every other step"));
  EXPECT_THAT(run.err, HasSubstr(file + ":7: unknown step \"refund\""));
  EXPECT_THAT(run.err, HasSubstr(file + ":8: \"2026-01-01\" is not later than the time here"));
}

TEST(SimulateScenario, AStepTheEngineRefusesStopsTheRunWithItsLine) {
  TempDir dir;
  WriteFile(dir / "refused.scenario",
            "payer alice\n"
            "# no card: a checkout of a paid plan cannot be made\n"
            "subscribe alice pro no-trial\n"
            "advance 1d\n");
  CommandResult run = Simulate({dir / "refused.scenario"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(dir / "refused.scenario" + ":3: subscribe alice pro no-trial: "));
  EXPECT_THAT(run.out, HasSubstr("> payer alice"));
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr("advance")));
}

TEST(SimulateScenario, UsageErrorsExitWithTwo) {
  const std::string file = Scenarios() + "trial-converts.scenario";
  EXPECT_EQ(Simulate({file, "--deliver", "http://127.0.0.1:9/"}).exit_code, 2);
  EXPECT_EQ(Simulate({file, "--pace", "1s"}).exit_code, 2);  // --pace needs --deliver
  EXPECT_EQ(
      Simulate({file, "--deliver", "http://127.0.0.1:9/", "--secret", kSecret, "--pace", "3601s"})
          .exit_code,
      2);
  EXPECT_EQ(Simulate({file, "--deliver", "ftp://x/", "--secret", kSecret}).exit_code, 2);
  EXPECT_EQ(Simulate({file, "--json=yes"}).exit_code, 2);
  EXPECT_EQ(Simulate({}).exit_code, 2);
  CommandResult missing = Simulate({"/nonexistent.scenario"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot read /nonexistent.scenario"));
}

}  // namespace
}  // namespace recur::testing::simulate_scenario_test
