// Three real `recur serve` nodes on one PostgreSQL database, with short leases (--lease): Pro
// trials on one test clock, made in parallel through all three, the clock advanced in steps
// through node A while B and C run their schedulers and dispatchers; B is killed (SIGKILL) and
// C paused (SIGSTOP) past its lease and woken, each in the middle of the deliveries. What a user
// sees afterwards: through a surviving node, every payer has each trial-ending notice once and one
// paid conversion; the sandbox gateway's ledger holds one charge per payer; a webhook receiver on
// loopback got every event, each under one webhook-id, every signature valid. The test asks only
// what the API answers, so it holds whichever node does a clock's work (the one the advance went
// to, or every node sharing it). RECUR_THREE_NODE_TRIALS sets the number of trials: 60 by default,
// which the suite runs; the deliveries to one endpoint bound its run time, and the full-size 2,000
// take about two minutes (docs/postgresql.md gives the figures). Built into the suite's PostgreSQL
// run only (recur_e2e_postgres_tests).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gmock/gmock.h>

#include "domain/webhooks/signing.h"
#include "store/webhook_delivery_store.h"
#include "tests/e2e/fixture.h"
#include "tests/support/webhook_receiver.h"

namespace recur::testing::three_nodes_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr std::int64_t kDay = 86'400'000;
// Short, so that the test waits out leases in seconds; the pause of C is longer than it.
constexpr const char* kLease = "3s";
constexpr auto kPastTheLease = 7s;
// Pro's trial: 14 days, notices 7, 3 and 1 day before its end (plans/pro.json).
constexpr std::int64_t kTrialDays = 14;
const std::set<std::int64_t> kNoticeDaysBeforeEnd = {7, 3, 1};
// Per payer: subscription.created, two subscriptionItem.active (free, then the trial),
// subscriptionItem.ended, subscription.updated, three notices, paymentAttempt.created and
// .updated, subscriptionItem.updated.
constexpr std::size_t kEventsPerPayer = 11;

int Trials() {
  const char* configured = std::getenv("RECUR_THREE_NODE_TRIALS");
  return configured != nullptr && std::atoi(configured) > 0 ? std::atoi(configured) : 60;
}

// How long a wait for the receiver may take before the test gives up: the deliveries to one
// endpoint go out at 5 to 20 a second (docs/postgresql.md), so it grows with the trials.
std::chrono::milliseconds Patience(int trials) {
  return std::chrono::minutes(2) + trials * std::chrono::milliseconds(kEventsPerPayer * 250);
}

class ThreeNodesTest : public ServeTest {
 protected:
  void TearDown() override {
    // Every node stopped before the receiver and the database go.
    for (std::unique_ptr<RecurServer>& node : others_) node.reset();
    server_.reset();
  }

  std::unique_ptr<RecurServer> StartNode() {
    RecurServer::Options options = Options();
    // Failed attempts come again within seconds, not after the default schedule's minutes.
    options.args = {
        "--lease",        kLease, "--webhook-allow-cidr", "127.0.0.0/8", "--webhook-retry-schedule",
        "0,1,1,1,1,1,1,1"};
    auto node = RecurServer::Start(options);
    if (!node) throw std::runtime_error("a node did not start");
    return node;
  }

  // An authenticated POST to `node` on `client`, kept alive between calls.
  static Answer PostOn(httplib::Client& client, const std::string& path, const json& body) {
    auto result = client.Post(path, Auth(), body.dump(), "application/json");
    if (!result) throw std::runtime_error("no HTTP answer to POST " + path);
    return {result->status, json::parse(result->body)};
  }

  // `count` payers with a card, each starting a Pro trial on `clock`, made by six clients
  // spread over `nodes`; their ids.
  std::vector<std::string> StartTrials(const std::vector<RecurServer*>& nodes,
                                       const std::string& clock, int count) {
    std::atomic<int> next = 0;
    std::mutex made_mutex;
    std::vector<std::string> made;
    std::vector<std::string> errors;
    std::vector<std::thread> clients;
    for (int c = 0; c < 6; ++c) {
      clients.emplace_back([&, node = nodes[c % nodes.size()]] {
        httplib::Client client = node->Client();
        client.set_keep_alive(true);
        client.set_read_timeout(60s);
        try {
          for (int i = next++; i < count; i = next++) {
            const std::string external_id = "user_" + std::to_string(i);
            Answer payer = PostOn(client, "/v1/payers",
                                  {{"external_id", external_id},
                                   {"type", "user"},
                                   {"email", external_id + "@example.com"},
                                   {"test_clock", clock}});
            if (payer.status != 200) throw std::runtime_error(payer.body.dump());
            const std::string id = payer.body["id"];
            Answer card = PostOn(client, "/v1/payers/" + id + "/payment_methods",
                                 {{"token", "pm_card_visa"}});
            if (card.status != 200) throw std::runtime_error(card.body.dump());
            Answer trial =
                PostOn(client, "/v1/payers/" + id + "/subscription_items", {{"plan", "pro"}});
            if (trial.status != 200) throw std::runtime_error(trial.body.dump());
            std::lock_guard lock(made_mutex);
            made.push_back(id);
          }
        } catch (const std::exception& error) {
          std::lock_guard lock(made_mutex);
          errors.push_back(error.what());
        }
      });
    }
    for (std::thread& client : clients) client.join();
    EXPECT_THAT(errors, ::testing::IsEmpty());
    return made;
  }

  // Advances `clock` through node A (server_) to `to` in the background; joined by the caller.
  std::thread AdvanceInBackground(const std::string& clock, std::int64_t to) {
    return std::thread([this, clock, to] {
      Answer advanced = Advance(clock, to);
      EXPECT_EQ(advanced.status, 200) << advanced.body;
    });
  }

  std::vector<std::unique_ptr<RecurServer>> others_;  // B and C; A is server_
};

TEST_F(ThreeNodesTest, KilledAndPausedNodesLoseNothingAndDoNothingTwice) {
  const int trials = Trials();
  const std::chrono::milliseconds patience = Patience(trials);
  server_ = StartNode();
  RecurServer& a = *server_;
  RecurServer& b = *others_.emplace_back(StartNode());
  RecurServer& c = *others_.emplace_back(StartNode());
  Receiver receiver;
  const json endpoint = Call("POST", "/v1/webhook_endpoints", {{"url", receiver.Url()}}).body;
  ASSERT_TRUE(endpoint.contains("secret")) << endpoint;
  const std::int64_t start = 1'740'787'200'000;  // 2025-03-01T00:00:00Z
  const std::int64_t trial_end = start + kTrialDays * kDay;
  const std::string clock = NewClock(start);
  const std::vector<std::string> payers = StartTrials({&a, &b, &c}, clock, trials);
  ASSERT_EQ(payers.size(), static_cast<std::size_t>(trials));
  const std::size_t expected = payers.size() * kEventsPerPayer;

  // Day 7, the first notices; B killed while the deliveries go on (of the trials' events and
  // the notices, in the order they were made).
  std::thread first = AdvanceInBackground(clock, trial_end - 7 * kDay);
  const std::size_t halfway = receiver.Count() + payers.size() / 2;
  EXPECT_TRUE(PollUntil([&] { return receiver.Count() >= halfway; }, patience));
  b.Signal(SIGKILL);
  EXPECT_EQ(b.WaitForExit(10s), 128 + SIGKILL);
  first.join();

  // Day 11, the second notices; C paused while the deliveries go on, past its lease, then
  // woken.
  std::thread second = AdvanceInBackground(clock, trial_end - 3 * kDay);
  const std::size_t paused_at = receiver.Count() + payers.size() / 4;
  EXPECT_TRUE(PollUntil([&] { return receiver.Count() >= paused_at; }, patience));
  c.Signal(SIGSTOP);
  second.join();
  std::this_thread::sleep_for(kPastTheLease);
  c.Signal(SIGCONT);

  // Day 13, the last notice; day 15, the conversions (due at day 14); and one more day after
  // every lease a lost node held has lapsed, as a user who wants it all done would.
  ASSERT_EQ(Advance(clock, trial_end - kDay).status, 200);
  ASSERT_EQ(Advance(clock, trial_end + kDay).status, 200);
  std::this_thread::sleep_for(kPastTheLease);
  ASSERT_EQ(Advance(clock, trial_end + 2 * kDay).status, 200);

  // Through a surviving node (A): each payer's notices once each, one paid conversion.
  const std::vector<json> events = Events();
  ASSERT_EQ(events.size(), expected);
  std::map<std::string, std::vector<std::int64_t>> notices;  // payer: days before the end
  for (const json& event : events) {
    if (event["type"] == "subscriptionItem.freeTrialEnding") {
      notices[event["payer_id"]].push_back((trial_end - event["timestamp"].get<std::int64_t>()) /
                                           kDay);
    }
  }
  int paid = 0;
  for (const std::string& payer : payers) {
    std::vector<std::int64_t>& days = notices[payer];
    std::sort(days.begin(), days.end());
    EXPECT_THAT(days, ::testing::ElementsAre(1, 3, 7)) << payer;
    const json attempts = Call("GET", "/v1/payment_attempts?payer_id=" + payer).body["data"];
    EXPECT_EQ(attempts.size(), 1u) << payer << " " << attempts;
    if (attempts.size() == 1 && attempts[0]["status"] == "paid") ++paid;
  }
  EXPECT_EQ(paid, trials);
  // The gateway charged each payer once.
  EXPECT_EQ(StoredNumber("SELECT COUNT(*) FROM sandbox_charges"), trials);
  EXPECT_EQ(StoredNumber("SELECT COUNT(DISTINCT payer_id) FROM sandbox_charges"), trials);

  // Every event reached the receiver, under its one webhook-id, signed.
  std::map<std::string, json> envelopes;  // by webhook-id
  for (const json& event : events) {
    envelopes[WebhookIdOf(event["id"].get<std::string>(), endpoint["id"].get<std::string>())] =
        DeliveredEnvelope(event);
  }
  auto secret = DecodeWebhookSecret(endpoint["secret"].get<std::string>());
  ASSERT_TRUE(secret);
  std::set<std::string> delivered;
  EXPECT_TRUE(PollUntil(
      [&] {
        for (const httplib::Request& request : receiver.Received()) {
          delivered.insert(request.get_header_value("webhook-id"));
        }
        return delivered.size() >= envelopes.size();
      },
      patience, 500ms))
      << delivered.size() << " of " << envelopes.size() << " events delivered";
  int unknown = 0, wrong_body = 0, bad_signature = 0;
  // Each signature is checked as the receiver would have checked it on arrival: a long run's
  // first requests are older than the timestamp's tolerance by now.
  const auto checked_at = std::chrono::steady_clock::now();
  const std::int64_t checked_at_seconds = std::time(nullptr);
  for (const ReceivedRequest& received : receiver.Log()) {
    const httplib::Request& request = received.request;
    const std::int64_t arrived_at_seconds =
        checked_at_seconds -
        std::chrono::duration_cast<std::chrono::seconds>(checked_at - received.arrived_at).count();
    const std::string id = request.get_header_value("webhook-id");
    auto sent = envelopes.find(id);
    if (sent == envelopes.end()) {
      ++unknown;
      continue;
    }
    if (json::parse(request.body) != sent->second) ++wrong_body;
    if (!VerifyWebhook(*secret, id, request.get_header_value("webhook-timestamp"),
                       request.get_header_value("webhook-signature"), request.body,
                       arrived_at_seconds)) {
      ++bad_signature;
    }
  }
  EXPECT_EQ(delivered.size(), envelopes.size());
  EXPECT_EQ(unknown, 0) << "requests under a webhook-id no event has";
  EXPECT_EQ(wrong_body, 0) << "requests whose body is not their webhook-id's event";
  EXPECT_EQ(bad_signature, 0);
  // At least once: a killed or paused node may have sent some again (same webhook-id); what a
  // paused node recorded after another node took its delivery over is kept as superseded.
  const std::int64_t superseded =
      StoredNumber("SELECT COUNT(*) FROM webhook_attempts WHERE superseded");
  RecordProperty("requests", static_cast<int>(receiver.Count()));
  RecordProperty("events", static_cast<int>(envelopes.size()));
  RecordProperty("superseded_attempts", static_cast<int>(superseded));
  std::printf(
      "three nodes: %d trials, %zu events, %zu requests at the receiver, %lld attempts "
      "superseded\n",
      trials, envelopes.size(), receiver.Count(), static_cast<long long>(superseded));
}

}  // namespace
}  // namespace recur::testing::three_nodes_test
