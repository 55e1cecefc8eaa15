// The dispatcher driven by a manual clock, step by step (RunOnce), against a real SQLite store on
// a temporary file and a real HTTP receiver on loopback: which attempt comes at which instant,
// what an answer does to the retries and to the endpoint. The last test runs its workers.
#include "services/webhooks/dispatcher.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "base/log.h"
#include "services/webhooks/endpoints.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/temporary_database.h"
#include "tests/support/wait.h"
#include "tests/support/webhook_receiver.h"

namespace recur {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::Optional;
using testing::Receiver;

// 2026-01-01T00:00:00Z.
const Instant kStart = FromUnixMillis(1'767'225'600'000);

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(database_.path(), ids_, clock_.Now());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    endpoints_ = std::make_unique<WebhookEndpoints>(*store_, ids_, clock_,
                                                    WebhookEndpointOptions{.allow = Loopback()});
  }

  // Held answers go out, so that the dispatcher, stopped first, need not wait for them.
  void TearDown() override {
    for (const std::unique_ptr<Receiver>& receiver : receivers_) receiver->Release();
  }

  static std::vector<Cidr> Loopback() { return {ParseCidr("127.0.0.0/8").value()}; }

  // No jitter, so that each retry comes exactly at its delay; each test changes what it needs.
  static DispatcherOptions Options(std::vector<std::chrono::seconds> retry_schedule) {
    DispatcherOptions options;
    options.retry_schedule = std::move(retry_schedule);
    options.jitter = 0;
    options.allow = Loopback();
    return options;
  }

  // A receiver that lives as long as the test's dispatcher: the dispatcher, gone first, closes
  // the connections it kept open to it, so that the receiver stops at once.
  Receiver& NewReceiver() { return *receivers_.emplace_back(std::make_unique<Receiver>()); }

  Dispatcher& Dispatch(DispatcherOptions options) {
    dispatcher_ = std::make_unique<Dispatcher>(*store_, *store_, clock_, std::move(options));
    return *dispatcher_;
  }

  std::string NewEndpoint(const Receiver& receiver) {
    auto endpoint = endpoints_->Create(receiver.Url(), {}, "");
    if (!endpoint) throw std::runtime_error(endpoint.error().message);
    return endpoint->id;
  }

  // A new payer with one event, stored as the billing service stores a transition: the store
  // makes a delivery of it for every enabled endpoint, due at once.
  std::string Publish() {
    const int n = ++payers_;
    Account account;
    account.payer.id = "cpayer_" + std::to_string(n);
    account.payer.external_id = "user_" + std::to_string(n);
    account.payer.email = account.payer.external_id + "@example.com";
    account.payer.name = "Payer " + std::to_string(n);
    account.payer.subscription_id = "csub_" + std::to_string(n);
    account.payer.created_at = clock_.Now();
    const StoredEvent event{
        "evt_" + std::to_string(n), "subscription.created", account.payer.id, clock_.Now(),
        R"({"object":"event","type":"subscription.created","n":)" + std::to_string(n) + "}"};
    if (Status saved = store_->SaveTransition(nullptr, account, {event}, {}, {}); !saved) {
      throw std::runtime_error(saved.error().message);
    }
    return event.id;
  }

  // The endpoint's attempts, oldest first.
  std::vector<DeliveryAttempt> Attempts(const std::string& endpoint_id) {
    auto attempts = store_->ListDeliveryAttempts(endpoint_id, 100);
    if (!attempts) throw std::runtime_error(attempts.error().message);
    std::reverse(attempts->begin(), attempts->end());
    return *attempts;
  }

  // How long after each attempt the next one was set for; none when none was.
  std::vector<std::optional<std::chrono::milliseconds>> Delays(const std::string& endpoint_id) {
    std::vector<std::optional<std::chrono::milliseconds>> delays;
    for (const DeliveryAttempt& attempt : Attempts(endpoint_id)) {
      if (attempt.next_attempt_at) {
        delays.emplace_back(*attempt.next_attempt_at - attempt.attempted_at);
      } else {
        delays.emplace_back(std::nullopt);
      }
    }
    return delays;
  }

  WebhookEndpoint Endpoint(const std::string& id) {
    auto endpoint = store_->GetWebhookEndpoint(id);
    if (!endpoint || !*endpoint) throw std::runtime_error("no endpoint " + id);
    return **endpoint;
  }

  // Moves the clock to `at` and runs one step; the number of attempts it made.
  std::size_t RunAt(Instant at) {
    clock_.Set(at);
    return dispatcher_->RunOnce();
  }

  // Runs a step at the instant the endpoint's last attempt set for the next one, after checking
  // that none comes a millisecond before it; the attempts made then.
  std::size_t RunAtTheNextAttempt(const std::string& endpoint_id) {
    const DeliveryAttempt last = Attempts(endpoint_id).back();
    if (!last.next_attempt_at) throw std::runtime_error("no next attempt is set");
    EXPECT_EQ(RunAt(*last.next_attempt_at - 1ms), 0u) << "an attempt came before its instant";
    return RunAt(*last.next_attempt_at);
  }

  TemporaryDatabase database_;  // destroyed last: the store has it open
  SeededIdGenerator ids_{1};
  ManualClock clock_{kStart};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<WebhookEndpoints> endpoints_;
  std::vector<std::unique_ptr<Receiver>> receivers_;
  std::unique_ptr<Dispatcher> dispatcher_;
  int payers_ = 0;
};

TEST_F(DispatcherTest, RetriesComeAtTheScheduleInstantsAndNotBefore) {
  Receiver& receiver = NewReceiver();
  receiver.AnswerWith({500, 500, 500});
  const std::string endpoint = NewEndpoint(receiver);
  Dispatch(Options({0s, 5s, 300s}));
  Publish();

  EXPECT_EQ(RunAt(kStart), 1u);  // the first attempt at once
  EXPECT_EQ(RunAt(kStart + 5s - 1ms), 0u);
  EXPECT_EQ(RunAt(kStart + 5s), 1u);
  EXPECT_EQ(RunAt(kStart + 305s - 1ms), 0u);
  EXPECT_EQ(RunAt(kStart + 305s), 1u);
  EXPECT_EQ(RunAt(kStart + 24h * 30), 0u);  // the schedule has run out

  const std::vector<DeliveryAttempt> attempts = Attempts(endpoint);
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].attempted_at, kStart);
  EXPECT_EQ(attempts[1].attempted_at, kStart + 5s);
  EXPECT_EQ(attempts[2].attempted_at, kStart + 305s);
  EXPECT_THAT(Delays(endpoint), ElementsAre(Optional(5000ms), Optional(300000ms), std::nullopt));
  for (const DeliveryAttempt& attempt : attempts) {
    EXPECT_EQ(attempt.http_status, 500);
    EXPECT_FALSE(attempt.delivered);
  }
  const std::vector<httplib::Request> received = receiver.Received();
  ASSERT_EQ(received.size(), 3u);
  for (const httplib::Request& request : received) {
    EXPECT_EQ(request.get_header_value("webhook-id"), attempts[0].msg_id);
  }
}

TEST_F(DispatcherTest, A2xxStopsTheRetries) {
  Receiver& receiver = NewReceiver();
  receiver.AnswerWith({503});
  const std::string endpoint = NewEndpoint(receiver);
  Dispatch(Options({0s, 5s, 5s, 5s}));
  Publish();

  EXPECT_EQ(RunAt(kStart), 1u);
  EXPECT_EQ(Endpoint(endpoint).failing_since, kStart);
  EXPECT_EQ(RunAtTheNextAttempt(endpoint), 1u);  // answered 200
  EXPECT_EQ(RunAt(kStart + 24h), 0u);

  const std::vector<DeliveryAttempt> attempts = Attempts(endpoint);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_TRUE(attempts[1].delivered);
  EXPECT_EQ(attempts[1].http_status, 200);
  EXPECT_EQ(attempts[1].next_attempt_at, std::nullopt);
  EXPECT_EQ(Endpoint(endpoint).failing_since, std::nullopt);
  EXPECT_EQ(receiver.Count(), 2u);
}

TEST_F(DispatcherTest, RetryAfterIsHonouredOnThrottlingAnswersWithinBounds) {
  Receiver& receiver = NewReceiver();
  const std::string endpoint = NewEndpoint(receiver);
  DispatcherOptions options = Options({0s, 5s, 5s, 5s, 5s, 5s});
  options.max_retry_after = 3600s;
  Dispatch(options);
  Publish();

  receiver.AnswerWith({503});
  receiver.RetryAfter("60");
  EXPECT_EQ(RunAt(kStart), 1u);
  receiver.AnswerWith({429});
  receiver.RetryAfter("100000");  // past the bound
  EXPECT_EQ(RunAtTheNextAttempt(endpoint), 1u);
  receiver.AnswerWith({500});
  receiver.RetryAfter("60");  // a 500 does not throttle
  EXPECT_EQ(RunAtTheNextAttempt(endpoint), 1u);
  receiver.AnswerWith({503});
  receiver.RetryAfter("1");  // sooner than the schedule: the schedule wins
  EXPECT_EQ(RunAtTheNextAttempt(endpoint), 1u);
  receiver.AnswerWith({502});
  receiver.RetryAfter("Wed, 21 Oct 2015 07:28:00 GMT");  // a date is not honoured
  EXPECT_EQ(RunAtTheNextAttempt(endpoint), 1u);
  receiver.RetryAfter("");
  EXPECT_EQ(RunAtTheNextAttempt(endpoint), 1u);  // answered 200

  EXPECT_THAT(Delays(endpoint),
              ElementsAre(Optional(60000ms), Optional(3600000ms), Optional(5000ms),
                          Optional(5000ms), Optional(5000ms), std::nullopt));
  EXPECT_EQ(receiver.Count(), 6u);
}

TEST_F(DispatcherTest, JitterSpreadsEachDelayWithinItsBoundsAndASeedRepeatsIt) {
  Receiver& receiver = NewReceiver();
  receiver.AnswerWith(std::deque<int>(100, 500));
  const std::string endpoint = NewEndpoint(receiver);
  DispatcherOptions options = Options({0s, 100s, 100s, 100s, 100s, 100s});
  options.jitter = 0.2;
  options.jitter_seed = 42;

  // Each run sends one event through the whole schedule, every attempt at its instant.
  auto run = [&] {
    Dispatch(options);
    const std::size_t before = Attempts(endpoint).size();
    Publish();
    EXPECT_EQ(RunAt(clock_.Now()), 1u);
    while (Attempts(endpoint).back().next_attempt_at) {
      EXPECT_EQ(RunAtTheNextAttempt(endpoint), 1u);
    }
    const auto all = Delays(endpoint);
    return std::vector(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
  };
  const auto first = run();
  ASSERT_EQ(first.size(), 6u);
  EXPECT_EQ(first.back(), std::nullopt);
  for (std::size_t i = 0; i + 1 < first.size(); ++i) {
    ASSERT_TRUE(first[i]);
    EXPECT_GE(*first[i], 80s);
    EXPECT_LE(*first[i], 120s);
  }
  EXPECT_NE(first[0], first[1]) << "no jitter";
  EXPECT_EQ(run(), first) << "the same seed gave other instants";
}

TEST_F(DispatcherTest, GoneDisablesTheEndpointAndEndsItsRetries) {
  Receiver& receiver = NewReceiver();
  receiver.AnswerWith({410});
  const std::string endpoint = NewEndpoint(receiver);
  Dispatch(Options({0s, 5s, 5s}));
  Publish();

  EXPECT_EQ(RunAt(kStart), 1u);
  const WebhookEndpoint disabled = Endpoint(endpoint);
  EXPECT_TRUE(disabled.disabled);
  EXPECT_EQ(disabled.disabled_reason, "the endpoint answered 410 Gone");
  EXPECT_EQ(Attempts(endpoint).back().next_attempt_at, std::nullopt);
  Publish();  // not even queued for a disabled endpoint
  EXPECT_EQ(RunAt(kStart + 24h), 0u);
  EXPECT_EQ(receiver.Count(), 1u);
}

TEST_F(DispatcherTest, AnEndpointFailingForTheDisablePeriodIsDisabledSinceItsFirstFailure) {
  Receiver& receiver = NewReceiver();
  receiver.AnswerWith(std::deque<int>(100, 500));
  const std::string endpoint = NewEndpoint(receiver);
  DispatcherOptions options = Options({0s, 1800s, 1800s, 1800s, 1800s});
  options.disable_after = 3600s;
  Dispatch(options);
  Publish();

  EXPECT_EQ(RunAt(kStart), 1u);
  EXPECT_EQ(RunAtTheNextAttempt(endpoint), 1u);  // failing for 30 minutes
  EXPECT_FALSE(Endpoint(endpoint).disabled);
  EXPECT_EQ(Endpoint(endpoint).failing_since, kStart);
  EXPECT_EQ(RunAtTheNextAttempt(endpoint), 1u);  // failing for an hour

  const WebhookEndpoint disabled = Endpoint(endpoint);
  EXPECT_TRUE(disabled.disabled);
  EXPECT_EQ(disabled.failing_since, kStart);
  EXPECT_EQ(disabled.disabled_reason, "every delivery attempt has failed since " +
                                          FormatRfc3339(kStart) + " (more than 3600 s)");
  // Its delivery stays owed (a recovery sends it) but is not sent while it is disabled.
  ASSERT_TRUE(Attempts(endpoint).back().next_attempt_at);
  EXPECT_EQ(RunAt(*Attempts(endpoint).back().next_attempt_at), 0u);
  EXPECT_EQ(receiver.Count(), 3u);
}

TEST_F(DispatcherTest, OneEndpointsFailuresLeaveAnotherAlone) {
  Receiver& failing = NewReceiver();
  Receiver& healthy = NewReceiver();
  failing.AnswerWith({410});
  const std::string failing_endpoint = NewEndpoint(failing);
  const std::string healthy_endpoint = NewEndpoint(healthy);
  Dispatch(Options({0s, 5s}));
  Publish();

  EXPECT_EQ(RunAt(kStart), 2u);
  EXPECT_TRUE(Endpoint(failing_endpoint).disabled);
  const WebhookEndpoint still = Endpoint(healthy_endpoint);
  EXPECT_FALSE(still.disabled);
  EXPECT_EQ(still.failing_since, std::nullopt);
  EXPECT_TRUE(Attempts(healthy_endpoint).back().delivered);

  Publish();
  EXPECT_EQ(RunAt(kStart + 1s), 1u);
  EXPECT_EQ(healthy.Count(), 2u);
  EXPECT_EQ(failing.Count(), 1u);
}

TEST_F(DispatcherTest, AHungEndpointDoesNotHoldUpTheWorkersOfAnother) {
  Receiver& hung = NewReceiver();
  Receiver& healthy = NewReceiver();
  hung.Hold();  // answers nothing until the test ends
  NewEndpoint(hung);
  const std::string healthy_endpoint = NewEndpoint(healthy);
  DispatcherOptions options = Options({0s});
  options.poll = 10ms;
  Dispatch(options).Start();
  for (int i = 0; i < 10; ++i) Publish();

  ASSERT_TRUE(hung.WaitFor(2));  // the two attempts an endpoint may have in flight hang
  ASSERT_TRUE(healthy.WaitFor(10)) << "the healthy endpoint waited for the hung one";
  EXPECT_TRUE(testing::WaitUntil("the healthy endpoint's 10 attempts recorded",
                                 [&] { return Attempts(healthy_endpoint).size() >= 10; }));
  EXPECT_EQ(hung.Count(), 2u) << "more attempts in flight at one endpoint than allowed";
}

}  // namespace
}  // namespace recur
