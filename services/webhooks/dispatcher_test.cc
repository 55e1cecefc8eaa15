// The dispatcher driven by a manual clock, step by step (RunOnce), against a real SQLite store on
// a temporary file and a real HTTP receiver on loopback: which attempt comes at which instant,
// what an answer does to the retries and to the endpoint. The last test runs its workers.
#include "services/webhooks/dispatcher.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/log.h"
#include "tests/support/dispatcher_fixture.h"
#include "tests/support/wait.h"
#include "tests/support/webhook_receiver.h"

namespace recur::dispatcher_test {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::kStart;
using ::testing::Optional;
using testing::Receiver;

// Every test runs on both SQL stores: what the dispatcher sees of deliveries is the store's.
enum class Backend { kSqlite, kPostgres };

class DispatcherTest : public testing::DispatcherFixture,
                       public ::testing::WithParamInterface<Backend> {
 protected:
  bool OnPostgres() const override { return GetParam() == Backend::kPostgres; }
};

INSTANTIATE_TEST_SUITE_P(Backends, DispatcherTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kPostgres ? std::string("Postgres")
                                                                   : std::string("Sqlite");
                         });

TEST_P(DispatcherTest, RetriesComeAtTheScheduleInstantsAndNotBefore) {
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

TEST_P(DispatcherTest, A2xxStopsTheRetries) {
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

TEST_P(DispatcherTest, RetryAfterIsHonouredOnThrottlingAnswersWithinBounds) {
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

TEST_P(DispatcherTest, JitterSpreadsEachDelayWithinItsBoundsAndASeedRepeatsIt) {
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

TEST_P(DispatcherTest, GoneDisablesTheEndpointAndEndsItsRetries) {
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

TEST_P(DispatcherTest, AnEndpointFailingForTheDisablePeriodIsDisabledSinceItsFirstFailure) {
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

TEST_P(DispatcherTest, OneEndpointsFailuresLeaveAnotherAlone) {
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

TEST_P(DispatcherTest, AHungEndpointDoesNotHoldUpTheWorkersOfAnother) {
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

// Stop with a deadline (what graceful shutdown uses, --shutdown-timeout) cuts an attempt still
// waiting for its answer then: Stop returns without waiting out the 15 s read timeout, the
// attempt is not recorded (no answer came), and the delivery is given back, to be sent again by
// the next dispatcher under the same webhook-id.
TEST_P(DispatcherTest, StopsDeadlineCutsAHungAttemptWhichIsThenSentAgainUnderItsWebhookId) {
  Receiver& receiver = NewReceiver();
  receiver.Hold();
  const std::string endpoint = NewEndpoint(receiver);
  Publish();
  DispatcherOptions options = Options({0s});
  options.poll = 10ms;
  Dispatcher& dispatcher = Dispatch(options);
  dispatcher.Start();
  ASSERT_TRUE(receiver.WaitFor(1));
  const auto stop_began = std::chrono::steady_clock::now();
  dispatcher.Stop(stop_began + 100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - stop_began, 10s)
      << "Stop waited for the hung attempt's answer";
  EXPECT_TRUE(Attempts(endpoint).empty()) << "an attempt cut before its answer was recorded";

  receiver.Release();
  // The next dispatcher (after a restart, or another node's) sends it at once.
  EXPECT_EQ(Dispatch(options).RunOnce(), 1u) << "the cut delivery was not given back";
  ASSERT_TRUE(receiver.WaitFor(2));
  const std::vector<httplib::Request> requests = receiver.Received();
  EXPECT_EQ(requests[0].get_header_value("webhook-id"), requests[1].get_header_value("webhook-id"));
  EXPECT_EQ(Attempts(endpoint).size(), 1u);
}

// A delivery store passing every call to another; the stores below change one or two.
class ForwardingDeliveryStore : public WebhookDeliveryStore {
 public:
  explicit ForwardingDeliveryStore(WebhookDeliveryStore& inner) : inner_(inner) {}

  Result<std::vector<DueDelivery>> DueDeliveries(Instant now, int limit,
                                                 const std::vector<std::string>& skipped,
                                                 const DeliveryLease& lease) override {
    return inner_.DueDeliveries(now, limit, skipped, lease);
  }
  Result<std::vector<std::optional<Instant>>> RecordDeliveryAttempts(
      const std::vector<DeliveryAttempt>& attempts) override {
    return inner_.RecordDeliveryAttempts(attempts);
  }
  Status ReleaseDeliveries(const std::vector<DueDelivery>& deliveries) override {
    return inner_.ReleaseDeliveries(deliveries);
  }
  Result<int> RecoverDeliveries(const std::string& endpoint_id, Instant since) override {
    return inner_.RecoverDeliveries(endpoint_id, since);
  }
  Result<std::string> ResendEvent(const std::string& endpoint_id,
                                  const std::string& event_id) override {
    return inner_.ResendEvent(endpoint_id, event_id);
  }
  Result<std::vector<DeliveryAttempt>> ListDeliveryAttempts(const std::string& endpoint_id,
                                                            int limit) override {
    return inner_.ListDeliveryAttempts(endpoint_id, limit);
  }

 private:
  WebhookDeliveryStore& inner_;
};

// A delivery store counting the reads of what is due.
class CountingReads final : public ForwardingDeliveryStore {
 public:
  using ForwardingDeliveryStore::ForwardingDeliveryStore;

  Result<std::vector<DueDelivery>> DueDeliveries(Instant now, int limit,
                                                 const std::vector<std::string>& skipped,
                                                 const DeliveryLease& lease) override {
    ++reads_;
    return ForwardingDeliveryStore::DueDeliveries(now, limit, skipped, lease);
  }
  int reads() const { return reads_; }

 private:
  std::atomic<int> reads_ = 0;
};

// With nothing due, the store is read about once per poll, whatever the number of workers: a
// read that finds nothing wakes the workers that waited for it, and none of them reads again
// before the poll is over.
TEST_P(DispatcherTest, AnIdleDispatcherReadsTheStoreAboutOncePerPoll) {
  DispatcherOptions options = Options({0s});
  options.poll = 50ms;
  options.workers = 8;
  CountingReads store(*delivery_store_);
  {
    Dispatcher dispatcher(store, *endpoint_store_, clock_, options);
    dispatcher.Start();
    std::this_thread::sleep_for(1s);
    dispatcher.Stop();
  }
  // 1 s is 20 polls, each at least 25 ms with its jitter: at most 40 reads, and 40 more for
  // workers woken at once. Reading on an empty queue, 8 workers made thousands.
  EXPECT_GE(store.reads(), 1);
  EXPECT_LE(store.reads(), 80);
}

// Told that deliveries were made (Nudge), an idle dispatcher reads the store at once rather than
// at its next poll: with an hour between polls, the new event is sent all the same.
TEST_P(DispatcherTest, ANudgeSendsANewDeliveryWithoutWaitingForThePoll) {
  Receiver& receiver = NewReceiver();
  NewEndpoint(receiver);
  DispatcherOptions options = Options({0s});
  options.poll = 1h;
  Dispatcher& dispatcher = Dispatch(options);
  dispatcher.Start();
  ASSERT_TRUE(testing::WaitUntil("the first read of what is due",
                                 [&] { return dispatcher.WorkProgress().last_read.has_value(); }));
  Publish();
  dispatcher.Nudge();
  EXPECT_TRUE(receiver.WaitFor(1)) << "the new delivery waited for the poll";
}

// A delivery store whose second read of what is due waits, for at most 20 seconds, for an
// attempt to be recorded, having first let `receiver` answer: a dispatcher that read it
// holding the mutex its workers need to hand over their attempts would wait the 20 seconds.
class ReadWaitingForARecord final : public ForwardingDeliveryStore {
 public:
  ReadWaitingForARecord(WebhookDeliveryStore& inner, Receiver& receiver)
      : ForwardingDeliveryStore(inner), receiver_(receiver) {}

  Result<std::vector<DueDelivery>> DueDeliveries(Instant now, int limit,
                                                 const std::vector<std::string>& skipped,
                                                 const DeliveryLease& lease) override {
    std::unique_lock lock(mutex_);
    if (++reads_ == 2) {
      receiver_.Release();
      recorded_while_reading_ = changed_.wait_for(lock, 20s, [this] { return records_ > 0; });
      second_read_done_ = true;
    }
    lock.unlock();
    return ForwardingDeliveryStore::DueDeliveries(now, limit, skipped, lease);
  }
  Result<std::vector<std::optional<Instant>>> RecordDeliveryAttempts(
      const std::vector<DeliveryAttempt>& attempts) override {
    auto recorded = ForwardingDeliveryStore::RecordDeliveryAttempts(attempts);
    {
      std::lock_guard lock(mutex_);
      ++records_;
    }
    changed_.notify_all();
    return recorded;
  }

  bool second_read_done() {
    std::lock_guard lock(mutex_);
    return second_read_done_;
  }
  bool recorded_while_reading() {
    std::lock_guard lock(mutex_);
    return recorded_while_reading_;
  }

 private:
  Receiver& receiver_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int reads_ = 0;
  int records_ = 0;
  bool second_read_done_ = false;
  bool recorded_while_reading_ = false;
};

TEST_P(DispatcherTest, AnAttemptIsRecordedWhileAnotherWorkerReadsWhatIsDue) {
  Receiver& receiver = NewReceiver();
  receiver.Hold();  // the first attempt waits until the second read has begun
  NewEndpoint(receiver);
  Publish();
  DispatcherOptions options = Options({0s});
  options.poll = 10ms;
  ReadWaitingForARecord store(*delivery_store_, receiver);
  {
    Dispatcher dispatcher(store, *endpoint_store_, clock_, options);
    dispatcher.Start();
    ASSERT_TRUE(testing::WaitUntil("the second read of what is due",
                                   [&] { return store.second_read_done(); }));
    dispatcher.Stop();
  }
  EXPECT_TRUE(store.recorded_while_reading())
      << "the first attempt was not recorded while the second read was out";
  EXPECT_EQ(receiver.Count(), 1u);
}

}  // namespace
}  // namespace recur::dispatcher_test
