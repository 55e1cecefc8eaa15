// What WebhookDeliveryStore (webhook_delivery_store.h) does beyond the dispatcher's tests, which
// run on both SQL stores too (services/webhooks/dispatcher_test.cc): recovering an endpoint's
// deliveries since a time and resending one event. On SqliteStore and PostgresStore.
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/published_event.h"
#include "tests/support/temporary_database.h"
#include "tests/support/temporary_postgres.h"

namespace recur::webhook_delivery_store_contract_test {
namespace {

using std::chrono::hours;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

enum class Backend { kSqlite, kPostgres };

const Instant kT0 = FromUnixMillis(1'767'225'600'000);  // 2026-01-01

class WebhookDeliveryStoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      postgres_database_ = std::make_unique<TemporaryPostgresDatabase>();
      ASSERT_TRUE(postgres_database_->ok()) << postgres_database_->error();
      auto store = PostgresStore::Open(postgres_database_->settings(), ids_, kT0);
      ASSERT_TRUE(store) << store.error().message;
      postgres_ = std::move(*store);
      Use(*postgres_);
    } else {
      auto store = SqliteStore::Open(database_.path(), ids_, kT0);
      ASSERT_TRUE(store) << store.error().message;
      sqlite_ = std::move(*store);
      Use(*sqlite_);
    }
  }
  template <typename Store>
  void Use(Store& store) {
    accounts_ = &store;
    endpoints_ = &store;
    deliveries_ = &store;
  }

  WebhookEndpoint NewEndpoint(std::vector<std::string> event_types) {
    WebhookEndpoint endpoint;
    endpoint.id = ids_.NewId("wep");
    endpoint.url = "https://hooks.example.com/" + endpoint.id;
    endpoint.event_types = std::move(event_types);
    endpoint.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    endpoint.created_at = endpoint.updated_at = kT0;
    EXPECT_TRUE(endpoints_->CreateWebhookEndpoint(endpoint));
    return endpoint;
  }

  // A new payer with one event of `type` at `at`, stored as a transition is.
  StoredEvent Publish(const std::string& type, Instant at) {
    return testing::PublishEvent(*accounts_, ids_, type, at);
  }

  // Every delivery due far in the future, as "webhook-id attempts/round_start".
  std::vector<std::string> Due() {
    std::vector<std::string> due;
    const std::vector<DueDelivery> deliveries =
        deliveries_->DueDeliveries(kT0 + hours(100), 100, {}, {}).value();
    for (const DueDelivery& delivery : deliveries) {
      due.push_back(delivery.msg_id + " " + std::to_string(delivery.attempts) + "/" +
                    std::to_string(delivery.round_start));
    }
    return due;
  }

  // Records one attempt of the event's delivery to the endpoint: delivered, or failed for good.
  void Attempt(const StoredEvent& event, const WebhookEndpoint& endpoint, bool delivered) {
    std::int64_t delivery_id = 0;
    std::int64_t lease = 0;
    const std::vector<DueDelivery> deliveries =
        deliveries_->DueDeliveries(kT0 + hours(100), 100, {}, {}).value();
    for (const DueDelivery& delivery : deliveries) {
      if (delivery.msg_id == WebhookIdOf(event.id, endpoint.id)) {
        delivery_id = delivery.id;
        lease = delivery.lease;
      }
    }
    ASSERT_NE(delivery_id, 0) << "no due delivery of " << event.id;
    DeliveryAttempt attempt;
    attempt.delivery_id = delivery_id;
    attempt.lease = lease;
    attempt.endpoint_id = endpoint.id;
    attempt.attempted_at = event.timestamp;
    attempt.http_status = delivered ? 200 : 500;
    attempt.delivered = delivered;
    ASSERT_TRUE(deliveries_->RecordDeliveryAttempts({attempt}));
  }

  TemporaryDatabase database_;
  std::unique_ptr<TemporaryPostgresDatabase> postgres_database_;  // outlives postgres_
  SeededIdGenerator ids_{3};
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<PostgresStore> postgres_;
  AccountStore* accounts_ = nullptr;
  WebhookEndpointStore* endpoints_ = nullptr;
  WebhookDeliveryStore* deliveries_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Backends, WebhookDeliveryStoreContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kPostgres ? std::string("Postgres")
                                                                   : std::string("Sqlite");
                         });

TEST_P(WebhookDeliveryStoreContractTest, RecoveryQueuesWhatTheEndpointDidNotReceiveSinceATime) {
  const WebhookEndpoint endpoint = NewEndpoint({});
  const StoredEvent before = Publish("subscription.created", kT0 - hours(1));
  Attempt(before, endpoint, false);
  const StoredEvent delivered = Publish("subscription.created", kT0);
  Attempt(delivered, endpoint, true);
  const StoredEvent failed = Publish("subscription.updated", kT0 + hours(1));
  Attempt(failed, endpoint, false);
  ASSERT_TRUE(endpoints_->DisableWebhookEndpoint(endpoint.id, "test", kT0, std::nullopt));
  const StoredEvent while_disabled = Publish("subscription.updated", kT0 + hours(2));
  WebhookEndpoint enabled = *endpoints_->GetWebhookEndpoint(endpoint.id).value();
  enabled.disabled = false;
  ASSERT_TRUE(endpoints_->UpdateWebhookEndpoint(enabled));
  ASSERT_THAT(Due(), IsEmpty());

  // Since kT0: the failed one in a new round, and the one never queued; not the delivered one,
  // nor the failed one from before kT0.
  EXPECT_EQ(deliveries_->RecoverDeliveries(endpoint.id, kT0).value(), 2);
  EXPECT_THAT(Due(), ElementsAre(WebhookIdOf(failed.id, endpoint.id) + " 1/1",
                                 WebhookIdOf(while_disabled.id, endpoint.id) + " 0/0"));
}

TEST_P(WebhookDeliveryStoreContractTest, ResendQueuesOneEventAgainEvenWhenDelivered) {
  const WebhookEndpoint endpoint = NewEndpoint({"subscription.created"});
  const StoredEvent created = Publish("subscription.created", kT0);
  Attempt(created, endpoint, true);
  ASSERT_THAT(Due(), IsEmpty());

  EXPECT_EQ(deliveries_->ResendEvent(endpoint.id, created.id).value(),
            WebhookIdOf(created.id, endpoint.id));
  EXPECT_THAT(Due(), ElementsAre(WebhookIdOf(created.id, endpoint.id) + " 1/1"));

  auto missing = deliveries_->ResendEvent(endpoint.id, "evt_missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().code, "event_not_found");

  const StoredEvent updated = Publish("subscription.updated", kT0);
  auto not_taken = deliveries_->ResendEvent(endpoint.id, updated.id);
  ASSERT_FALSE(not_taken);
  EXPECT_EQ(not_taken.error().code, "event_type_not_taken");
  EXPECT_THAT(Due(), ElementsAre(WebhookIdOf(created.id, endpoint.id) + " 1/1"));
}

TEST_P(WebhookDeliveryStoreContractTest, DueDeliveriesLeaveOutTheSkippedEndpoints) {
  const WebhookEndpoint first = NewEndpoint({});
  const WebhookEndpoint second = NewEndpoint({});
  const StoredEvent event = Publish("subscription.created", kT0);
  std::vector<std::string> due;
  const std::vector<DueDelivery> deliveries =
      deliveries_->DueDeliveries(kT0, 100, {first.id}, {}).value();
  for (const DueDelivery& delivery : deliveries) {
    due.push_back(delivery.msg_id);
  }
  EXPECT_THAT(due, ElementsAre(WebhookIdOf(event.id, second.id)));
}

}  // namespace
}  // namespace recur::webhook_delivery_store_contract_test
