// Two dispatchers, each on a PostgresStore of its own on one database (two nodes), sending to
// real receivers on loopback: every event reaches every endpoint once, under one webhook-id, and
// no receiver ever has more requests in flight than the per-endpoint limit, which the nodes share.
// What a node that died or was paused held is sent by the other, and the paused one's late record
// changes nothing. Also the jitter of the dispatcher's reads.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/webhooks/dispatcher.h"
#include "tests/support/dispatcher_fixture.h"
#include "tests/support/wait.h"
#include "tests/support/webhook_receiver.h"

namespace recur::dispatcher_nodes_test {
namespace {

using namespace std::chrono_literals;
using testing::Receiver;

// The most requests the receiver had in flight at once: each counts from its arrival until its
// answer was ready.
int MostInFlight(const Receiver& receiver) {
  std::vector<std::pair<std::chrono::steady_clock::time_point, int>> changes;
  for (const testing::ReceivedRequest& request : receiver.Log()) {
    changes.emplace_back(request.arrived_at, +1);
    // One not answered yet is in flight still.
    changes.emplace_back(request.answered_at.value_or(std::chrono::steady_clock::time_point::max()),
                         -1);
  }
  // At one instant, an answer goes before an arrival: the two did not overlap.
  std::sort(changes.begin(), changes.end());
  int in_flight = 0;
  int most = 0;
  for (const auto& [at, change] : changes) {
    in_flight += change;
    most = std::max(most, in_flight);
  }
  return most;
}

class TwoNodesTest : public testing::DispatcherFixture {
 protected:
  bool OnPostgres() const override { return true; }

  void SetUp() override {
    DispatcherFixture::SetUp();
    if (HasFatalFailure()) return;
    auto store = PostgresStore::Open(postgres_database_->settings(), ids_, clock_.Now());
    ASSERT_TRUE(store) << store.error().message;
    second_store_ = std::move(*store);
  }

  DispatcherOptions NodeOptions(std::uint64_t seed) const {
    DispatcherOptions options = Options({0s, 5s});
    options.workers = 4;
    options.per_endpoint = 2;
    options.poll = 10ms;
    options.jitter_seed = seed;
    return options;
  }

  std::unique_ptr<PostgresStore> second_store_;  // the second node's store
  std::unique_ptr<Dispatcher> second_;           // the second node's dispatcher, gone first
};

TEST_F(TwoNodesTest, EveryEventReachesEachEndpointOnceWithinTheLimitInFlight) {
  constexpr int kEvents = 40;
  std::vector<Receiver*> receivers;
  std::vector<std::string> endpoints;
  for (int i = 0; i < 3; ++i) {
    Receiver& receiver = NewReceiver();
    receiver.Delay(20ms);  // long enough for requests to overlap
    receivers.push_back(&receiver);
    endpoints.push_back(NewEndpoint(receiver));
  }
  std::vector<std::string> events;
  for (int i = 0; i < kEvents; ++i) events.push_back(Publish());

  Dispatch(NodeOptions(1)).Start();
  second_ = std::make_unique<Dispatcher>(*second_store_, *second_store_, clock_, NodeOptions(2));
  second_->Start();
  for (Receiver* receiver : receivers) ASSERT_TRUE(receiver->WaitFor(kEvents));
  for (const std::string& endpoint : endpoints) {
    ASSERT_TRUE(testing::WaitUntil("every attempt recorded", [&] {
      return Attempts(endpoint).size() >= static_cast<std::size_t>(kEvents);
    }));
  }
  dispatcher_->Stop();
  second_->Stop();

  for (std::size_t i = 0; i < receivers.size(); ++i) {
    std::multiset<std::string> received;
    for (const httplib::Request& request : receivers[i]->Received()) {
      received.insert(request.get_header_value("webhook-id"));
    }
    std::multiset<std::string> expected;
    for (const std::string& event : events) expected.insert(WebhookIdOf(event, endpoints[i]));
    EXPECT_EQ(received, expected) << "endpoint " << i << ": each event once, by its webhook-id";
    EXPECT_LE(MostInFlight(*receivers[i]), 2) << "endpoint " << i;
    for (const DeliveryAttempt& attempt : Attempts(endpoints[i])) {
      EXPECT_TRUE(attempt.delivered);
      EXPECT_FALSE(attempt.superseded);
    }
    EXPECT_THAT(Attempts(endpoints[i]), ::testing::SizeIs(kEvents));
  }
}

TEST_F(TwoNodesTest, AnEndpointDisabledThroughOneNodeIsNotSentToByTheOther) {
  Receiver& receiver = NewReceiver();
  Receiver& marker_receiver = NewReceiver();
  const std::string endpoint = NewEndpoint(receiver);
  const std::string marker = NewEndpoint(marker_receiver);
  second_ = std::make_unique<Dispatcher>(*second_store_, *second_store_, clock_, NodeOptions(2));

  // Both endpoints have a delivery due; the first is disabled through the first node's store,
  // and the second node's dispatcher sends what is due.
  Publish();
  ASSERT_TRUE(
      endpoint_store_->DisableWebhookEndpoint(endpoint, "test", clock_.Now(), std::nullopt));
  EXPECT_EQ(second_->RunOnce(), 1u);
  EXPECT_EQ(marker_receiver.Count(), 1u);
  EXPECT_EQ(receiver.Count(), 0u);
  EXPECT_THAT(Attempts(marker), ::testing::SizeIs(1));
}

TEST_F(TwoNodesTest, WhatANodeHeldWhenItDiedIsSentByAnotherUnderTheSameWebhookId) {
  Receiver& receiver = NewReceiver();
  const std::string endpoint = NewEndpoint(receiver);
  const std::string event = Publish();
  second_ = std::make_unique<Dispatcher>(*second_store_, *second_store_, clock_, NodeOptions(2));

  // The first node claims the delivery and dies before sending it; its lease (0 ms here) lapses.
  auto held = postgres_->DueDeliveries(clock_.Now(), 10, {}, {.per_endpoint = 2, .duration = 0ms});
  ASSERT_TRUE(held) << held.error().message;
  ASSERT_THAT(*held, ::testing::SizeIs(1));

  EXPECT_EQ(second_->RunOnce(), 1u);
  ASSERT_EQ(receiver.Count(), 1u);
  EXPECT_EQ(receiver.Received()[0].get_header_value("webhook-id"), WebhookIdOf(event, endpoint));
  EXPECT_TRUE(Attempts(endpoint).back().delivered);
  EXPECT_EQ(second_->RunOnce(), 0u) << "delivered once is delivered";
}

TEST_F(TwoNodesTest, ANodePausedPastItsLeaseCannotUndoWhatTheNextHolderRecorded) {
  Receiver& receiver = NewReceiver();
  const std::string endpoint = NewEndpoint(receiver);
  Publish();
  // The first node's lease lapses at once, so that while its request is at the receiver (a node
  // paused mid-attempt) the second node claims the delivery and sends it. The first one's answer
  // is a failure, the second one's a success.
  receiver.AnswerWith({500, 200});
  DispatcherOptions paused = NodeOptions(1);
  paused.lease = 0ms;
  Dispatch(paused);
  second_ = std::make_unique<Dispatcher>(*second_store_, *second_store_, clock_, NodeOptions(2));
  bool overtaken = false;
  receiver.OnArrival([&](const httplib::Request&) {
    if (std::exchange(overtaken, true)) return;
    EXPECT_EQ(second_->RunOnce(), 1u);  // its request arrives, and is answered, meanwhile
  });

  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  receiver.OnArrival(nullptr);
  ASSERT_EQ(receiver.Count(), 2u);
  EXPECT_EQ(receiver.Received()[0].get_header_value("webhook-id"),
            receiver.Received()[1].get_header_value("webhook-id"));

  // Both attempts are in the log; the late failure is superseded and the delivery stays
  // delivered, the endpoint healthy.
  const std::vector<DeliveryAttempt> attempts = Attempts(endpoint);
  ASSERT_THAT(attempts, ::testing::SizeIs(2));
  EXPECT_TRUE(attempts[0].delivered);
  EXPECT_FALSE(attempts[0].superseded);
  EXPECT_FALSE(attempts[1].delivered);
  EXPECT_TRUE(attempts[1].superseded);
  EXPECT_EQ(Endpoint(endpoint).failing_since, std::nullopt);
  EXPECT_EQ(dispatcher_->RunOnce(), 0u) << "no retry of a delivered delivery";
  EXPECT_EQ(second_->RunOnce(), 0u);
}

}  // namespace
}  // namespace recur::dispatcher_nodes_test
