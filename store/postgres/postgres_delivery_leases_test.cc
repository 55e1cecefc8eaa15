// What WebhookDeliveryStore (webhook_delivery_store.h) promises when several nodes share one
// store: two PostgresStores on one database, each standing for a node. Deliveries handed to one
// are not handed to the other until recorded or lapsed; the per-endpoint limit holds across
// both; a lapsed lease is taken over, a released one at once; an attempt recorded under a lease
// taken over is kept in the log and changes nothing else. A lease of 0 ms lapses at once, so no
// test waits for time.
#include <algorithm>
#include <barrier>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "store/postgres/postgres_store.h"
#include "tests/support/published_event.h"
#include "tests/support/temporary_postgres.h"

namespace recur::postgres_delivery_leases_test {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const Instant kT0 = FromUnixMillis(1'767'225'600'000);  // 2026-01-01
const Instant kLater = kT0 + hours(1);                  // when everything stored is due

// Held for a long time (a minute), or lapsing at once.
const DeliveryLease kHeld{.per_endpoint = 0, .duration = milliseconds(60'000)};
const DeliveryLease kLapsing{.per_endpoint = 0, .duration = milliseconds(0)};

DeliveryLease LimitedTo(int per_endpoint) {
  return {.per_endpoint = per_endpoint, .duration = milliseconds(60'000)};
}

std::vector<std::int64_t> IdsOf(const std::vector<DueDelivery>& deliveries) {
  std::vector<std::int64_t> ids;
  for (const DueDelivery& delivery : deliveries) ids.push_back(delivery.id);
  return ids;
}

class DeliveryLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(database_.ok()) << database_.error();
    for (auto* node : {&a_, &b_}) {
      auto store = PostgresStore::Open(database_.settings(), ids_, kT0);
      ASSERT_TRUE(store) << store.error().message;
      *node = std::move(*store);
    }
    ASSERT_NE(a_->node_id(), b_->node_id());
  }

  std::string NewEndpoint() {
    WebhookEndpoint endpoint;
    endpoint.id = ids_.NewId("wep");
    endpoint.url = "https://hooks.example.com/" + endpoint.id;
    endpoint.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    endpoint.created_at = endpoint.updated_at = kT0;
    EXPECT_TRUE(a_->CreateWebhookEndpoint(endpoint));
    return endpoint.id;
  }

  // `count` events, each stored as a transition is, so each endpoint gets a delivery of each.
  void Publish(int count) {
    for (int i = 0; i < count; ++i) testing::PublishEvent(*a_, ids_, "subscription.created", kT0);
  }

  static std::vector<DueDelivery> Claim(PostgresStore& node, const DeliveryLease& lease,
                                        int limit = 100) {
    auto due = node.DueDeliveries(kLater, limit, {}, lease);
    EXPECT_TRUE(due) << due.error().message;
    return due ? *due : std::vector<DueDelivery>{};
  }

  // The attempt of `delivery` made at kLater under its lease: delivered, or failed with a next
  // attempt an hour on.
  static DeliveryAttempt AttemptOf(const DueDelivery& delivery, bool delivered) {
    DeliveryAttempt attempt;
    attempt.delivery_id = delivery.id;
    attempt.endpoint_id = delivery.endpoint.id;
    attempt.attempt = delivery.attempts + 1;
    attempt.attempted_at = kLater;
    attempt.http_status = delivered ? 200 : 500;
    attempt.delivered = delivered;
    if (!delivered) attempt.next_attempt_at = kLater + hours(1);
    attempt.lease = delivery.lease;
    return attempt;
  }

  TemporaryPostgresDatabase database_;  // outlives the stores
  SeededIdGenerator ids_{5};
  std::unique_ptr<PostgresStore> a_;
  std::unique_ptr<PostgresStore> b_;
};

TEST_F(DeliveryLeasesTest, WhatOneNodeIsHandedTheOtherIsNotUntilItLapses) {
  NewEndpoint();
  Publish(5);
  const std::vector<DueDelivery> to_a = Claim(*a_, kHeld, 3);
  const std::vector<DueDelivery> to_b = Claim(*b_, kHeld);
  ASSERT_THAT(to_a, SizeIs(3));
  ASSERT_THAT(to_b, SizeIs(2));
  std::set<std::int64_t> all;
  for (const DueDelivery& delivery : to_a) all.insert(delivery.id);
  for (const DueDelivery& delivery : to_b) all.insert(delivery.id);
  EXPECT_THAT(all, SizeIs(5));
  EXPECT_THAT(Claim(*b_, kHeld), SizeIs(2)) << "b is handed only what it holds";
}

TEST_F(DeliveryLeasesTest, TheHolderIsHandedWhatItHoldsAgainUnderTheSameLease) {
  NewEndpoint();
  Publish(2);
  const std::vector<DueDelivery> first = Claim(*a_, kHeld);
  const std::vector<DueDelivery> again = Claim(*a_, kHeld);
  ASSERT_THAT(first, SizeIs(2));
  EXPECT_EQ(IdsOf(again), IdsOf(first));
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(again[i].lease, first[i].lease);
  EXPECT_THAT(Claim(*b_, kHeld), IsEmpty());
}

TEST_F(DeliveryLeasesTest, TheLimitPerEndpointHoldsAcrossNodes) {
  const std::string busy = NewEndpoint();
  Publish(4);  // four deliveries to `busy`
  const std::string other = NewEndpoint();
  Publish(1);  // one more to `busy` and one to `other`

  const std::vector<DueDelivery> to_a = Claim(*a_, LimitedTo(2));
  std::map<std::string, int> leased;
  for (const DueDelivery& delivery : to_a) ++leased[delivery.endpoint.id];
  EXPECT_EQ(leased[busy], 2);
  EXPECT_EQ(leased[other], 1);
  EXPECT_THAT(Claim(*b_, LimitedTo(2)), IsEmpty()) << "both endpoints' room is a's";

  // One of a's is recorded: its room is b's to take.
  ASSERT_TRUE(a_->RecordDeliveryAttempts({AttemptOf(to_a.front(), true)}));
  const std::vector<DueDelivery> to_b = Claim(*b_, LimitedTo(2));
  ASSERT_THAT(to_b, SizeIs(1));
  EXPECT_EQ(to_b.front().endpoint.id, to_a.front().endpoint.id);
  // a, handed what it holds again, is handed nothing more.
  EXPECT_THAT(Claim(*a_, LimitedTo(2)), SizeIs(2));
}

TEST_F(DeliveryLeasesTest, ConcurrentClaimsAreDisjointAndKeepTheLimitPerEndpoint) {
  constexpr int kEndpoints = 3;
  constexpr int kPerEndpoint = 2;
  for (int i = 0; i < kEndpoints; ++i) NewEndpoint();
  Publish(12);  // 36 deliveries
  std::set<std::int64_t> recorded;
  for (int round = 0; recorded.size() < 36u && round < 36; ++round) {
    std::vector<DueDelivery> to_a;
    std::vector<DueDelivery> to_b;
    std::barrier start(2);
    std::thread claiming_a([&] {
      start.arrive_and_wait();
      to_a = Claim(*a_, LimitedTo(kPerEndpoint));
    });
    std::thread claiming_b([&] {
      start.arrive_and_wait();
      to_b = Claim(*b_, LimitedTo(kPerEndpoint));
    });
    claiming_a.join();
    claiming_b.join();

    std::map<std::string, int> leased;
    std::set<std::int64_t> handed;
    std::vector<DeliveryAttempt> attempts_a;
    std::vector<DeliveryAttempt> attempts_b;
    for (const DueDelivery& delivery : to_a) {
      ++leased[delivery.endpoint.id];
      EXPECT_TRUE(handed.insert(delivery.id).second) << "round " << round;
      attempts_a.push_back(AttemptOf(delivery, true));
    }
    for (const DueDelivery& delivery : to_b) {
      ++leased[delivery.endpoint.id];
      EXPECT_TRUE(handed.insert(delivery.id).second) << "round " << round << ": handed twice";
      attempts_b.push_back(AttemptOf(delivery, true));
    }
    for (const auto& [endpoint, count] : leased) {
      EXPECT_LE(count, kPerEndpoint) << "round " << round << ", endpoint " << endpoint;
    }
    ASSERT_FALSE(handed.empty()) << "round " << round << ": nothing handed out";
    if (!attempts_a.empty()) {
      ASSERT_TRUE(a_->RecordDeliveryAttempts(attempts_a));
    }
    if (!attempts_b.empty()) {
      ASSERT_TRUE(b_->RecordDeliveryAttempts(attempts_b));
    }
    recorded.insert(handed.begin(), handed.end());
  }
  EXPECT_THAT(recorded, SizeIs(36));
  EXPECT_THAT(Claim(*a_, kHeld), IsEmpty());
}

TEST_F(DeliveryLeasesTest, ALapsedLeaseIsTakenOverUnderANewToken) {
  NewEndpoint();
  Publish(1);
  const std::vector<DueDelivery> to_a = Claim(*a_, kLapsing);
  ASSERT_THAT(to_a, SizeIs(1));
  const std::vector<DueDelivery> to_b = Claim(*b_, kHeld);
  ASSERT_THAT(to_b, SizeIs(1));
  EXPECT_EQ(to_b.front().id, to_a.front().id);
  EXPECT_EQ(to_b.front().msg_id, to_a.front().msg_id) << "the same webhook-id";
  EXPECT_GT(to_b.front().lease, to_a.front().lease);
  EXPECT_THAT(Claim(*a_, kHeld), IsEmpty());
}

TEST_F(DeliveryLeasesTest, AnAttemptUnderALeaseTakenOverIsKeptAndChangesNothingElse) {
  const std::string endpoint = NewEndpoint();
  Publish(1);
  const DueDelivery paused = Claim(*a_, kLapsing).at(0);
  const DueDelivery taken = Claim(*b_, kHeld).at(0);

  // b's attempt fails and sets the next one; then a, waking, records its success.
  auto after_b = b_->RecordDeliveryAttempts({AttemptOf(taken, false)});
  ASSERT_TRUE(after_b) << after_b.error().message;
  EXPECT_EQ(after_b->at(0), kLater);
  auto after_a = a_->RecordDeliveryAttempts({AttemptOf(paused, true)});
  ASSERT_TRUE(after_a) << after_a.error().message;
  EXPECT_EQ(after_a->at(0), std::nullopt);

  // The delivery is as b left it: pending, one attempt made, due an hour on.
  EXPECT_THAT(Claim(*a_, kHeld), IsEmpty());
  auto due = a_->DueDeliveries(kLater + hours(1), 100, {}, kHeld);
  ASSERT_TRUE(due);
  ASSERT_THAT(*due, SizeIs(1));
  EXPECT_EQ(due->front().attempts, 1);
  // The endpoint still counts as failing since b's attempt.
  EXPECT_EQ(b_->GetWebhookEndpoint(endpoint).value()->failing_since, kLater);
  // Both attempts are in the log, newest first; a's is marked superseded.
  const std::vector<DeliveryAttempt> log = a_->ListDeliveryAttempts(endpoint, 10).value();
  ASSERT_THAT(log, SizeIs(2));
  EXPECT_TRUE(log[0].delivered);
  EXPECT_TRUE(log[0].superseded);
  EXPECT_FALSE(log[1].delivered);
  EXPECT_FALSE(log[1].superseded);
}

TEST_F(DeliveryLeasesTest, AnAttemptUnderALapsedLeaseNobodyTookIsRecorded) {
  const std::string endpoint = NewEndpoint();
  Publish(1);
  const DueDelivery paused = Claim(*a_, kLapsing).at(0);
  ASSERT_TRUE(a_->RecordDeliveryAttempts({AttemptOf(paused, true)}));
  EXPECT_THAT(Claim(*b_, kHeld), IsEmpty()) << "delivered";
  const std::vector<DeliveryAttempt> log = a_->ListDeliveryAttempts(endpoint, 10).value();
  ASSERT_THAT(log, SizeIs(1));
  EXPECT_FALSE(log[0].superseded);
}

TEST_F(DeliveryLeasesTest, AReleasedDeliveryIsTheOtherNodesAtOnce) {
  NewEndpoint();
  Publish(2);
  const std::vector<DueDelivery> to_a = Claim(*a_, kHeld);
  ASSERT_THAT(to_a, SizeIs(2));
  ASSERT_TRUE(a_->ReleaseDeliveries({to_a[0]}));
  EXPECT_THAT(IdsOf(Claim(*b_, kHeld)), ElementsAre(to_a[0].id));

  // Released again, under the lease b took over since: nothing changes.
  ASSERT_TRUE(a_->ReleaseDeliveries({to_a[0]}));
  EXPECT_THAT(IdsOf(Claim(*a_, kHeld)), ElementsAre(to_a[1].id));
  EXPECT_THAT(IdsOf(Claim(*b_, kHeld)), ElementsAre(to_a[0].id));
}

TEST_F(DeliveryLeasesTest, ARecordedDeliveryIsClaimedAgainUnderANewToken) {
  NewEndpoint();
  Publish(1);
  const DueDelivery first = Claim(*a_, kHeld).at(0);
  ASSERT_TRUE(a_->RecordDeliveryAttempts({AttemptOf(first, false)}));
  auto retried = a_->DueDeliveries(kLater + hours(1), 100, {}, kHeld);
  ASSERT_TRUE(retried);
  ASSERT_THAT(*retried, SizeIs(1));
  EXPECT_GT(retried->front().lease, first.lease);
  EXPECT_EQ(retried->front().attempts, 1);
}

// An attempt in flight when its delivery is queued again (resent, or recovered) belongs to the
// round before: recorded after, it is kept in the log as superseded, and the new round is owed.
TEST_F(DeliveryLeasesTest, AnAttemptMadeBeforeAResendIsKeptAsSupersededAndTheResendIsOwed) {
  const std::string endpoint = NewEndpoint();
  const StoredEvent event = testing::PublishEvent(*a_, ids_, "subscription.created", kT0);
  const DueDelivery in_flight = Claim(*a_, kHeld).at(0);
  ASSERT_TRUE(b_->ResendEvent(endpoint, event.id));
  ASSERT_TRUE(a_->RecordDeliveryAttempts({AttemptOf(in_flight, true)}));
  const std::vector<DeliveryAttempt> log = a_->ListDeliveryAttempts(endpoint, 10).value();
  ASSERT_THAT(log, SizeIs(1));
  EXPECT_TRUE(log[0].superseded);
  const std::vector<DueDelivery> resent = Claim(*b_, kHeld);
  ASSERT_THAT(IdsOf(resent), ElementsAre(in_flight.id));
  EXPECT_GT(resent[0].lease, in_flight.lease);
  EXPECT_EQ(resent[0].attempts, 0);
}

TEST_F(DeliveryLeasesTest, AnAttemptMadeBeforeARecoveryIsKeptAsSupersededAndTheRecoveryIsOwed) {
  const std::string endpoint = NewEndpoint();
  Publish(1);
  const DueDelivery in_flight = Claim(*a_, kHeld).at(0);
  ASSERT_EQ(b_->RecoverDeliveries(endpoint, kT0).value(), 1);
  ASSERT_TRUE(a_->RecordDeliveryAttempts({AttemptOf(in_flight, false)}));
  const std::vector<DeliveryAttempt> log = a_->ListDeliveryAttempts(endpoint, 10).value();
  ASSERT_THAT(log, SizeIs(1));
  EXPECT_TRUE(log[0].superseded);
  EXPECT_EQ(b_->GetWebhookEndpoint(endpoint).value()->failing_since, std::nullopt);
  const std::vector<DueDelivery> recovered = Claim(*b_, kHeld);
  ASSERT_THAT(IdsOf(recovered), ElementsAre(in_flight.id));
  EXPECT_GT(recovered[0].lease, in_flight.lease);
}

}  // namespace
}  // namespace recur::postgres_delivery_leases_test
