// The PostgreSQL store: the contracts of store/ on a PostgreSQL database (15 or later), for
// installations that outgrow one machine's SQLite file. Every change and its events, due work
// and webhook deliveries commit in one transaction, sent as one pipeline where the change has
// several statements (pg_connection.h). Connections come from a bounded pool (pg_pool.h) with a
// statement timeout; a lost connection fails its call with "unavailable" and is replaced on the
// next. The migrations of schema/postgres/ are applied at open, once across nodes starting
// together (postgres_migration.h).
// PostgreSQL's own SQL stays in this folder and in schema/postgres/: rows in the order stored
// are rows by a seq column from a sequence, endpoint filters are jsonb arrays, statements number
// their parameters "$1".
// What it keeps: accounts (the event outbox and due work with them), idempotency keys, payer
// sessions (their tokens' hashes), the catalog (with a revision every changing sync moves on)
// and settings, test clocks, event body dictionaries, webhook endpoints, deliveries and their
// attempts (the sandbox gateway's ledger, in the same database, is postgres_sandbox_ledger.h).
// Several stores (nodes: `recur serve` processes) may share a database. Each is a node of its
// own, with an id new at every Open (node_id()), and leases what it takes, timed by the
// database's clock: due work and pending payment attempts for `due_work_lease`
// (account_store.h; a settlement under another node's lease is refused), webhook deliveries with a
// fencing token checked when their attempts are recorded (webhook_delivery_store.h), and
// idempotency keys, whose keyed changes are fenced in their own transaction
// (idempotency_store.h), and test clocks for `test_clock_advance_lease` while advancing
// (test_clock_store.h). A node's leases end when they lapse, or at once when the node is gone
// (killed: its connections closed), which a lock it holds on a connection of its own tells
// (pg_node_liveness.h); so a node started after another was killed takes over its work at once.
// It answers StoredVersions (stored_versions.h): a payer's version and
// the catalog's revision, each one indexed read, which the nodes' caches are checked against
// before they answer (docs/postgresql.md, "What a node caches").
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/ids.h"
#include "store/event_body_codec.h"
#include "store/postgres/pg_node_liveness.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/postgres_event_bodies.h"
#include "store/store.h"
#include "store/store_health.h"
#include "store/stored_versions.h"

namespace recur {

struct PostgresStoreOptions {
  // How long due work stays leased to the node that read it (account_store.h). Longer than a
  // batch of the scheduler takes, charges included; a node that dies holds its work this long.
  // A pending payment attempt is held as long by the node settling it: longer than a charge
  // takes to answer.
  std::chrono::milliseconds due_work_lease{60'000};
  // How often the node looks at the connection that holds its lock, to take the lock again
  // when the connection dropped (pg_node_liveness.h).
  std::chrono::milliseconds liveness_check{500};
  // How long an advance of a test clock holds the clock unless renewed (test_clock_store.h); the
  // advancing node renews it every third of this. A node that dies mid-advance holds it this long.
  std::chrono::milliseconds test_clock_advance_lease{30'000};
};

class PostgresStore final : public Store, public StoredVersions, public StoreHealth {
 public:
  // Connects, applies pending migrations and loads the event body dictionaries.
  static Result<std::unique_ptr<PostgresStore>> Open(const PgPool::Settings& settings,
                                                     IdGenerator& ids, Instant now,
                                                     const PostgresStoreOptions& options = {});

  // This node's id, new at every Open: what its leases are held under.
  const std::string& node_id() const { return node_id_; }

  // CatalogStore and SettingsStore (postgres_store.cc)
  Result<std::shared_ptr<const Catalog>> LoadCatalog() override;
  Result<CatalogSyncResult> SyncCatalog(const std::vector<PlanSource>& desired,
                                        Instant now) override;
  Result<std::optional<std::string>> GetSetting(const std::string& key) override;
  Status PutSetting(const std::string& key, const std::string& value) override;
  // StoreHealth (postgres_store_health.cc)
  Status CheckHealth() override;
  // How long each write's COMMIT took, for /metrics.
  const LatencyHistogram& commit_latency() const { return pool_->commit_latency(); }

  // StoredVersions (postgres_store.cc): what a node checks its caches against
  Result<std::optional<std::int64_t>> PayerVersion(const std::string& payer_id) override;
  Result<std::int64_t> CatalogRevision() override;

  // GatewayEventStore (postgres_gateway_event_store.cc)
  Result<bool> GatewayEventApplied(const std::string& id) override;
  Status RecordGatewayEvent(const std::string& id, const std::string& type, Instant at) override;

  // AccountStore (postgres_account_store.cc)
  Result<std::optional<Account>> LoadAccount(const std::string& payer_id) override;
  Result<std::optional<std::string>> FindPayerId(PayerType type,
                                                 const std::string& external_id) override;
  Result<std::optional<std::string>> FindPayerIdOfItem(const std::string& item_id) override;
  Status SaveTransition(const Account* before, const Account& after,
                        const std::vector<StoredEvent>& events,
                        const std::vector<DueWork>& scheduled,
                        const std::vector<DueWork>& completes_work) override;
  Result<std::vector<DueWork>> DueWorkUntil(Instant until,
                                            const std::optional<std::string>& clock_id,
                                            int limit) override;
  Status ReleaseDueWork(const std::vector<DueWork>& pieces) override;
  Result<Page<StoredStatement>> ListStatements(const std::string& payer_id,
                                               const ListOptions& options) override;
  Result<std::optional<StoredStatement>> LoadStatement(const std::string& statement_id) override;
  Result<std::optional<AttemptOfPayer>> LoadPaymentAttempt(const std::string& attempt_id) override;
  Result<Page<PaymentAttempt>> ListPaymentAttempts(const std::string& payer_id,
                                                   const ListOptions& options) override;
  Result<Page<StoredEvent>> ListEvents(const std::string& payer_id, const std::string& type,
                                       const ListOptions& options) override;
  Result<Page<std::string>> ListPayerIds(const std::string& query,
                                         const ListOptions& options) override;
  Result<std::vector<CurrentPlan>> ListCurrentPlans() override;
  Result<std::vector<TakenAttempt>> TakePendingAttempts(int limit) override;
  Status PostponePendingAttempt(const std::string& attempt_id,
                                std::chrono::milliseconds wait) override;

  // ReportStore (postgres_report_store.cc)
  Result<OverviewRows> OverviewRowsSince(Instant since,
                                         const std::optional<std::string>& clock_id) override;

  // IdempotencyStore (postgres_idempotency_store.cc)
  Result<IdempotencyClaim> ClaimIdempotencyKey(const std::string& key,
                                               const std::string& request_hash,
                                               const std::string& instance_id, Instant now,
                                               std::chrono::milliseconds retention,
                                               std::chrono::milliseconds lease) override;
  Status RenewIdempotencyClaims(const std::vector<std::string>& keys,
                                const std::string& instance_id,
                                std::chrono::milliseconds lease) override;
  Status CompleteIdempotencyKey(const std::string& key, const std::string& instance_id, int status,
                                const std::string& body) override;
  Status ReleaseIdempotencyKey(const std::string& key, const std::string& instance_id) override;
  Result<int> PurgeIdempotencyKeys(Instant claimed_before, int limit) override;

  // PayerSessionStore (postgres_payer_session_store.cc)
  Status CreatePayerSession(const PayerSession& session, Instant now) override;
  Result<std::optional<PayerSession>> FindPayerSession(const std::string& token_hash) override;
  Result<int> RevokePayerSessions(const std::string& payer_id) override;

  // ConsoleSessionStore (postgres_console_session_store.cc)
  Status CreateConsoleSession(const ConsoleSession& session, Instant now) override;
  Result<std::optional<ConsoleSession>> FindConsoleSession(const std::string& token_hash) override;
  Result<bool> EndConsoleSession(const std::string& token_hash) override;

  // TestClockStore (postgres_test_clock_store.cc)
  Status CreateTestClock(const TestClock& clock) override;
  Result<std::optional<TestClock>> GetTestClock(const std::string& id) override;
  Result<Page<TestClock>> ListTestClocks(const ListOptions& options) override;
  Status UpdateTestClock(const std::string& id, Instant frozen_time,
                         TestClockStatus status) override;
  Result<std::optional<TestClock>> DeleteTestClock(const std::string& id) override;
  Result<std::optional<ClockAdvance>> BeginAdvance(const std::string& id, Instant from,
                                                   Instant to) override;
  Status RenewAdvance(const ClockAdvance& advance) override;
  Status FinishAdvance(const ClockAdvance& advance) override;
  Status GiveUpAdvance(const ClockAdvance& advance) override;
  Result<std::vector<ClockAdvance>> AdvancesUnderway() override;
  // Reads due work, with DueWorkUntil's rules (postgres_account_store.cc).
  Result<std::int64_t> AdvanceWorkLeft(const std::string& clock_id, Instant until) override;
  Status ReadyAdvancingTestClocks() override;

  // WebhookEndpointStore (postgres_webhook_endpoint_store.cc)
  Status CreateWebhookEndpoint(const WebhookEndpoint& endpoint) override;
  Status UpdateWebhookEndpoint(const WebhookEndpoint& endpoint) override;
  Result<std::optional<WebhookEndpoint>> GetWebhookEndpoint(const std::string& id) override;
  Result<std::vector<WebhookEndpoint>> ListWebhookEndpoints() override;
  Result<bool> DisableWebhookEndpoint(const std::string& id, const std::string& reason, Instant at,
                                      std::optional<Instant> failing_since_before) override;

  // WebhookDeliveryStore (postgres_webhook_delivery_store.cc)
  Result<std::vector<DueDelivery>> DueDeliveries(Instant now, int limit,
                                                 const std::vector<std::string>& skipped,
                                                 const DeliveryLease& lease) override;
  Result<std::vector<std::optional<Instant>>> RecordDeliveryAttempts(
      const std::vector<DeliveryAttempt>& attempts) override;
  Status ReleaseDeliveries(const std::vector<DueDelivery>& deliveries) override;
  Result<int> RecoverDeliveries(const std::string& endpoint_id, Instant since) override;
  Result<std::string> ResendEvent(const std::string& endpoint_id,
                                  const std::string& event_id) override;
  Result<std::vector<DeliveryAttempt>> ListDeliveryAttempts(const std::string& endpoint_id,
                                                            int limit) override;

  // Round trips to the server so far, for the benchmarks.
  std::int64_t round_trips() const { return pool_->round_trips(); }

 private:
  PostgresStore(std::unique_ptr<PgPool> pool, IdGenerator& ids,
                const PostgresStoreOptions& options);

  // A write that changes what a request may ask for. Inside an IdempotentRequestScope it
  // records, in the same transaction, that the scope's key made `made`, and is refused whole
  // ("idempotency_claim_lapsed") when the key is no longer the scope's instance's under a running
  // lease (idempotency_store.h); else it is a plain write. `made` is asked for only inside a
  // scope. Inside a GatewayEventScope, the first such write also records the gateway's message
  // it applies, and is refused whole when the message was applied already
  // (gateway_event_scope.h).
  Status WriteChange(const Doing& doing, const std::function<std::string()>& made,
                     const PgPool::WriteJob& job);
  Status WriteChange(const Doing& doing, const std::string& made, const PgPool::WriteJob& job) {
    return WriteChange(
        doing, [&made] { return made; }, job);
  }

  // Each member uses the ones above it, so they go first.
  std::unique_ptr<PgPool> pool_;
  PostgresEventBodyDictionaries event_body_dictionaries_;
  std::unique_ptr<EventBodyCodec> event_bodies_;
  IdGenerator& ids_;
  const PostgresStoreOptions options_;
  std::string node_id_;
  // Holds the node's lock while the store is open: what tells the other nodes it is alive.
  std::unique_ptr<PgNodeLiveness> liveness_;
};

}  // namespace recur
