// Crash safety of webhook delivery through the real `recur serve`: killed with SIGKILL in the
// middle of a burst of deliveries to two endpoints, with deliveries in flight, and started again
// on the same database, it still delivers every event to every endpoint whose filter takes it.
// "Delivered" means answered 2xx by the receiver to a server that was still alive to see the
// answer: a request whose answer came after the kill does not count. A delivery may come more
// than once, always under the same webhook-id; none may be missing, and every attempt is
// validly signed.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>

#include "domain/webhooks/signing.h"
#include "tests/e2e/webhook_fixture.h"
#include "tests/support/webhook_receiver.h"

namespace recur::testing::webhook_crash_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::IsEmpty;
using Instant = std::chrono::steady_clock::time_point;

// Each payer brings five events: subscription.created and subscriptionItem.active when made,
// then subscriptionItem.active, subscriptionItem.ended and subscription.updated when its Pro
// trial starts.
constexpr int kPayers = 300;
constexpr int kCreators = 4;
// The kill comes once half the payers have started their trials and the slow endpoint has had
// some requests, as a request reaches it: while payers are still being made, with a delivery in
// flight and most deliveries still to come.
constexpr int kKillAfterTrials = kPayers / 2;
constexpr std::size_t kKillAfterSlowRequests = 20;
const std::vector<std::string> kItemEventTypes = {"subscriptionItem.active",
                                                  "subscriptionItem.ended"};

// envelope text (ServeTest::DeliveredEnvelope, dumped: keys are sorted, so equal envelopes dump
// equal) -> event id
using EventsByEnvelope = std::map<std::string, std::string>;

// The event a request carries, or "" for a body that is no known event.
std::string EventOf(const httplib::Request& request, const EventsByEnvelope& events) {
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return "";
  auto found = events.find(body.dump());
  return found == events.end() ? "" : found->second;
}

// When the server that sent each request could have seen its answer: the first server only
// before it was killed, the second one always.
struct Crash {
  Instant killed_at;
  Instant restarted_at;

  bool AnswerSeen(const ReceivedRequest& received) const {
    if (!received.answered_at) return false;
    return received.arrived_at >= restarted_at || *received.answered_at < killed_at;
  }
  bool CutOff(const ReceivedRequest& received) const {
    return received.arrived_at < killed_at && !AnswerSeen(received);
  }
};

// The ids of the events delivered in `log`: answered to a server alive to see the answer.
std::set<std::string> DeliveredEventIds(const std::vector<ReceivedRequest>& log, const Crash& crash,
                                        const EventsByEnvelope& events) {
  std::set<std::string> ids;
  for (const ReceivedRequest& received : log) {
    if (!crash.AnswerSeen(received)) continue;
    if (std::string id = EventOf(received.request, events); !id.empty()) ids.insert(id);
  }
  return ids;
}

// The ids of `wanted` not delivered in `log`.
std::vector<std::string> Undelivered(const std::vector<ReceivedRequest>& log,
                                     const std::set<std::string>& wanted, const Crash& crash,
                                     const EventsByEnvelope& events) {
  std::vector<std::string> undelivered;
  std::ranges::set_difference(wanted, DeliveredEventIds(log, crash, events),
                              std::back_inserter(undelivered));
  return undelivered;
}

// What one endpoint's receiver got, every request checked.
struct Tally {
  std::size_t requests = 0;
  std::size_t duplicates = 0;  // requests beyond one per webhook-id
  std::size_t cut_off = 0;     // requests whose answer came after the kill
  std::vector<std::string> problems;
};

Tally TallyOf(const std::vector<ReceivedRequest>& log, const json& endpoint, const Crash& crash,
              const EventsByEnvelope& events, const std::set<std::string>& wanted) {
  Tally tally;
  tally.requests = log.size();
  auto secret = DecodeWebhookSecret(endpoint["secret"].get<std::string>());
  if (!secret) {
    tally.problems.push_back("the endpoint's secret does not decode");
    return tally;
  }
  std::map<std::string, std::string> event_of_webhook_id;
  std::map<std::string, std::set<std::string>> webhook_ids_of_event;
  for (const ReceivedRequest& received : log) {
    const httplib::Request& request = received.request;
    if (crash.CutOff(received)) ++tally.cut_off;
    const std::string webhook_id = request.get_header_value("webhook-id");
    if (!VerifyWebhook(*secret, webhook_id, request.get_header_value("webhook-timestamp"),
                       request.get_header_value("webhook-signature"), request.body,
                       std::time(nullptr))) {
      tally.problems.push_back("bad signature on " + webhook_id);
    }
    const std::string event = EventOf(request, events);
    if (event.empty()) {
      tally.problems.push_back("a body that is no event: " + request.body.substr(0, 200));
      continue;
    }
    if (!wanted.contains(event)) {
      tally.problems.push_back(event + " is of a type the endpoint does not take");
    }
    auto [known, first] = event_of_webhook_id.emplace(webhook_id, event);
    if (!first && known->second != event) {
      tally.problems.push_back("webhook-id " + webhook_id + " came with two events");
    }
    webhook_ids_of_event[event].insert(webhook_id);
  }
  tally.duplicates = tally.requests - event_of_webhook_id.size();
  for (const auto& [event, webhook_ids] : webhook_ids_of_event) {
    if (webhook_ids.size() != 1) {
      tally.problems.push_back(event + " came under " + std::to_string(webhook_ids.size()) +
                               " webhook-ids");
    }
  }
  return tally;
}

class WebhookCrashTest : public WebhookServeTest {
 protected:
  // Delivering to loopback, configured through the environment (which this test covers).
  RecurServer::Options DeliveringByEnvironment() const {
    RecurServer::Options options = Options();
    options.env["RECUR_WEBHOOK_ALLOW_CIDRS"] = "127.0.0.0/8";
    // Retries after the restart come within a second or two.
    options.env["RECUR_WEBHOOK_RETRY_SCHEDULE"] = "0,1,1,1,1,1,1,1,1,1";
    return options;
  }
};

TEST_F(WebhookCrashTest, AKillInTheMiddleOfABurstLosesNoDelivery) {
  const Instant started = std::chrono::steady_clock::now();
  server_ = RecurServer::Start(DeliveringByEnvironment());
  ASSERT_TRUE(server_);
  Receiver& slow = NewReceiver();
  Receiver& fast = NewReceiver();
  slow.Delay(10ms);  // at most two attempts in flight per endpoint: it stays behind the burst
  const json every_event = NewEndpoint(slow.Url());
  const json item_events = NewEndpoint(fast.Url(), kItemEventTypes);

  // The burst: payers starting Pro trials from several clients at once, until the kill.
  std::atomic<int> next_payer = 0;
  std::atomic<int> trials_started = 0;
  std::atomic<bool> killing = false;  // from here on a failed call is the kill's doing
  std::atomic<bool> killed = false;
  Crash crash;
  auto kill = [&] {
    if (killing.exchange(true)) return;
    server_->Signal(SIGKILL);
    crash.killed_at = std::chrono::steady_clock::now();
    killed = true;
  };
  // Killed as a request reaches the slow endpoint, that request is cut off: its answer comes
  // after the delay, to a dead server.
  slow.OnArrival([&](const httplib::Request&) {
    if (trials_started >= kKillAfterTrials && slow.Count() >= kKillAfterSlowRequests) kill();
  });
  std::mutex errors_mutex;
  std::vector<std::string> errors_before_kill;
  std::vector<std::thread> creators;
  for (int c = 0; c < kCreators; ++c) {
    creators.emplace_back([&] {
      try {
        for (int i = next_payer++; i < kPayers; i = next_payer++) {
          const std::string payer = NewPayer("user_" + std::to_string(i), "pm_card_visa");
          Answer trial =
              Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}});
          if (trial.status != 200) throw std::runtime_error("trial: " + trial.body.dump());
          ++trials_started;
        }
      } catch (const std::exception& error) {
        if (killing) return;  // the server is gone: the burst ends here
        std::lock_guard lock(errors_mutex);
        errors_before_kill.push_back(error.what());
      }
    });
  }
  const bool killed_mid_burst = PollUntil([&] { return killed.load(); }, 60s);
  kill();  // in case the moment never came
  PollUntil([&] { return killed.load(); });
  slow.OnArrival(nullptr);
  slow.Delay(0ms);  // it has stayed behind the burst: after the restart it need not
  EXPECT_EQ(server_->WaitForExit(10s), 128 + SIGKILL);
  for (std::thread& creator : creators) creator.join();
  ASSERT_TRUE(killed_mid_burst) << trials_started << " trials started and " << slow.Count()
                                << " requests at the slow endpoint after 60 s";
  EXPECT_THAT(errors_before_kill, IsEmpty());

  server_.reset();
  crash.restarted_at = std::chrono::steady_clock::now();
  server_ = RecurServer::Start(DeliveringByEnvironment());
  ASSERT_TRUE(server_) << "recur serve did not start again on the killed server's database";

  const std::vector<json> events = Events();
  EventsByEnvelope events_by_envelope;
  std::set<std::string> all_event_ids, item_event_ids;
  int payers = 0;
  for (const json& event : events) {
    const std::string id = event["id"];
    ASSERT_TRUE(events_by_envelope.emplace(DeliveredEnvelope(event).dump(), id).second)
        << "two events with the same envelope: their deliveries cannot be told apart";
    all_event_ids.insert(id);
    if (event["type"] == "subscription.created") ++payers;
    if (std::ranges::find(kItemEventTypes, event["type"].get<std::string>()) !=
        kItemEventTypes.end()) {
      item_event_ids.insert(id);
    }
  }

  // Everything is delivered after the restart: wait until nothing is missing, or give up when
  // no request has come for 10 s (retries come every second or so) or after 60 s.
  std::size_t requests = 0;
  Instant last_new_request = std::chrono::steady_clock::now();
  auto all_delivered = [&] {
    return Undelivered(slow.Log(), all_event_ids, crash, events_by_envelope).empty() &&
           Undelivered(fast.Log(), item_event_ids, crash, events_by_envelope).empty();
  };
  PollUntil(
      [&] {
        if (slow.Count() + fast.Count() != requests) {
          requests = slow.Count() + fast.Count();
          last_new_request = std::chrono::steady_clock::now();
        }
        const bool enough =
            slow.Count() >= all_event_ids.size() && fast.Count() >= item_event_ids.size();
        const bool given_up = std::chrono::steady_clock::now() - last_new_request >= 10s;
        return given_up || (enough && all_delivered());
      },
      60s, 100ms);
  const std::vector<std::string> undelivered_to_slow =
      Undelivered(slow.Log(), all_event_ids, crash, events_by_envelope);
  const std::vector<std::string> undelivered_to_fast =
      Undelivered(fast.Log(), item_event_ids, crash, events_by_envelope);
  EXPECT_THAT(undelivered_to_slow, IsEmpty()) << "never delivered to the every-event endpoint";
  EXPECT_THAT(undelivered_to_fast, IsEmpty()) << "never delivered to the item-event endpoint";

  const std::vector<ReceivedRequest> slow_log = slow.Log(), fast_log = fast.Log();
  const Tally slow_tally = TallyOf(slow_log, every_event, crash, events_by_envelope, all_event_ids);
  const Tally fast_tally =
      TallyOf(fast_log, item_events, crash, events_by_envelope, item_event_ids);
  EXPECT_THAT(slow_tally.problems, IsEmpty());
  EXPECT_THAT(fast_tally.problems, IsEmpty());

  // The kill came in the middle: some deliveries were done, one at least was in flight, others
  // were still to come.
  std::vector<ReceivedRequest> slow_before_kill, fast_before_kill;
  std::ranges::copy_if(slow_log, std::back_inserter(slow_before_kill),
                       [&](const ReceivedRequest& r) { return r.arrived_at < crash.killed_at; });
  std::ranges::copy_if(fast_log, std::back_inserter(fast_before_kill),
                       [&](const ReceivedRequest& r) { return r.arrived_at < crash.killed_at; });
  const std::size_t slow_delivered_before_kill =
      DeliveredEventIds(slow_before_kill, crash, events_by_envelope).size();
  const std::size_t fast_delivered_before_kill =
      DeliveredEventIds(fast_before_kill, crash, events_by_envelope).size();
  EXPECT_GT(slow_delivered_before_kill, 0u);
  EXPECT_LT(slow_delivered_before_kill, all_event_ids.size());
  EXPECT_GT(fast_delivered_before_kill, 0u);
  EXPECT_GE(slow_tally.cut_off, 1u);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "%zu events from %d payers; every-event endpoint: %zu deliveries, %zu before the kill, "
      "%zu requests, %zu cut off by the kill, %zu duplicates; item-event endpoint: %zu "
      "deliveries, %zu before the kill, %zu requests, %zu cut off, %zu duplicates; %.1f s\n",
      events.size(), payers, all_event_ids.size(), slow_delivered_before_kill, slow_tally.requests,
      slow_tally.cut_off, slow_tally.duplicates, item_event_ids.size(), fast_delivered_before_kill,
      fast_tally.requests, fast_tally.cut_off, fast_tally.duplicates, seconds);
  RecordProperty("events", static_cast<int>(events.size()));
  RecordProperty("duplicates", static_cast<int>(slow_tally.duplicates + fast_tally.duplicates));
}

}  // namespace
}  // namespace recur::testing::webhook_crash_test
