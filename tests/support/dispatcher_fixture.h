// The dispatcher's unit tests' set-up: a real store (SQLite on a temporary file, or, for a test
// whose OnPostgres() says so, PostgreSQL on a temporary database), a manual clock,
// endpoints made through WebhookEndpoints, receivers on loopback in the test process, events
// stored as the billing service stores them, and the attempts read back. Tests drive the
// dispatcher step by step (RunOnce) or run its workers.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/ids.h"
#include "services/webhooks/dispatcher.h"
#include "services/webhooks/endpoints.h"
#include "services/webhooks/host_resolver.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/temporary_database.h"
#include "tests/support/temporary_postgres.h"
#include "tests/support/test_certificate.h"
#include "tests/support/webhook_receiver.h"

namespace recur::testing {

// 2026-01-01T00:00:00Z.
const Instant kStart = FromUnixMillis(1'767'225'600'000);

class DispatcherFixture : public ::testing::Test {
 protected:
  // Whether the test runs on PostgreSQL; a test parameterized by backend says so.
  virtual bool OnPostgres() const { return false; }

  void SetUp() override {
    if (OnPostgres()) {
      postgres_database_ = std::make_unique<TemporaryPostgresDatabase>();
      ASSERT_TRUE(postgres_database_->ok()) << postgres_database_->error();
      auto store = PostgresStore::Open(postgres_database_->settings(), ids_, clock_.Now());
      ASSERT_TRUE(store) << store.error().message;
      postgres_ = std::move(*store);
      Use(*postgres_);
    } else {
      auto store = SqliteStore::Open(database_.path(), ids_, clock_.Now());
      ASSERT_TRUE(store) << store.error().message;
      sqlite_ = std::move(*store);
      Use(*sqlite_);
    }
    endpoints_ = std::make_unique<WebhookEndpoints>(
        *endpoint_store_, ids_, clock_,
        WebhookEndpointOptions{.allow = allow_, .resolver = resolver_});
  }

  template <typename Store>
  void Use(Store& store) {
    accounts_ = &store;
    endpoint_store_ = &store;
    delivery_store_ = &store;
  }

  // Held answers go out, so that the dispatcher, stopped first, need not wait for them.
  void TearDown() override {
    for (const std::unique_ptr<Receiver>& receiver : receivers_) receiver->Release();
  }

  static std::vector<Cidr> Loopback() { return {ParseCidr("127.0.0.0/8").value()}; }

  // No jitter, so that each retry comes exactly at its delay; each test changes what it needs.
  DispatcherOptions Options(std::vector<std::chrono::seconds> retry_schedule) const {
    DispatcherOptions options;
    options.retry_schedule = std::move(retry_schedule);
    options.jitter = 0;
    options.allow = allow_;
    options.resolver = resolver_;
    return options;
  }

  // A receiver that lives as long as the test's dispatcher: the dispatcher, gone first, closes
  // the connections it kept open to it, so that the receiver stops at once.
  // On `address` and `port` (0: a free one), over HTTPS with `tls`'s certificate when given.
  Receiver& NewReceiver(const TestCertificate* tls = nullptr, std::string address = "127.0.0.1",
                        int port = 0) {
    return *receivers_.emplace_back(std::make_unique<Receiver>(tls, std::move(address), port));
  }

  Dispatcher& Dispatch(DispatcherOptions options) {
    dispatcher_ = std::make_unique<Dispatcher>(*delivery_store_, *endpoint_store_, clock_,
                                               std::move(options));
    return *dispatcher_;
  }

  std::string NewEndpoint(const Receiver& receiver) { return NewEndpoint(receiver.Url()); }

  std::string NewEndpoint(const std::string& url) {
    auto endpoint = endpoints_->Create(url, {}, "");
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
    if (Status saved = accounts_->SaveTransition(nullptr, account, {event}, {}, {}); !saved) {
      throw std::runtime_error(saved.error().message);
    }
    return event.id;
  }

  // The endpoint's attempts, oldest first.
  std::vector<DeliveryAttempt> Attempts(const std::string& endpoint_id) {
    auto attempts = delivery_store_->ListDeliveryAttempts(endpoint_id, 100);
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
    auto endpoint = endpoint_store_->GetWebhookEndpoint(id);
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
    EXPECT_EQ(RunAt(*last.next_attempt_at - std::chrono::milliseconds(1)), 0u)
        << "an attempt came before its instant";
    return RunAt(*last.next_attempt_at);
  }

  // What the endpoints and the dispatcher allow and ask; a test's constructor may change them.
  std::vector<Cidr> allow_ = Loopback();
  std::shared_ptr<const HostResolver> resolver_ = SystemHostResolver();
  TemporaryDatabase database_;  // destroyed last of what follows: the store has it open
  std::unique_ptr<TemporaryPostgresDatabase> postgres_database_;  // likewise
  SeededIdGenerator ids_{1};
  ManualClock clock_{kStart};
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<PostgresStore> postgres_;
  AccountStore* accounts_ = nullptr;  // the one of the two stores in use
  WebhookEndpointStore* endpoint_store_ = nullptr;
  WebhookDeliveryStore* delivery_store_ = nullptr;
  std::unique_ptr<WebhookEndpoints> endpoints_;
  std::vector<std::unique_ptr<Receiver>> receivers_;
  std::unique_ptr<Dispatcher> dispatcher_;
  int payers_ = 0;
};

}  // namespace recur::testing
