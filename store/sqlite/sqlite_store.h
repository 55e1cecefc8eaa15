// The embedded SQLite store: every contract of store/ on one database file in WAL mode with
// synchronous=FULL (a commit survives power loss), the migrations of schema/sqlite/ applied at
// open. Writes go through a single writer that groups concurrent writes into one transaction,
// reads through reader connections (sqlite_connections.h).
// SQLite's own SQL stays in this folder and in schema/sqlite/: rows in the order stored are
// rows by rowid, endpoint filters are read with json_each, due work ids come from
// AUTOINCREMENT, statements number their parameters "?". Another SQL backend says the same
// things in its own dialect, in a folder of its own beside this one; what every backend must do
// is in the contracts, not here.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <SQLiteCpp/Database.h>

#include "store/sqlite/sqlite_connections.h"
#include "store/sqlite/stored_event_bodies.h"

#include "base/clock.h"
#include "base/ids.h"
#include "store/store.h"
#include "store/store_health.h"

namespace recur {

class SqliteStore final : public Store, public StoreHealth {
 public:
  // Opens (creating if needed) the database at `path` and applies pending migrations.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, IdGenerator& ids,
                                                   Instant now);

  Result<std::shared_ptr<const Catalog>> LoadCatalog() override;
  Result<CatalogSyncResult> SyncCatalog(const std::vector<PlanSource>& desired,
                                        Instant now) override;
  Result<std::optional<std::string>> GetSetting(const std::string& key) override;
  Status PutSetting(const std::string& key, const std::string& value) override;
  // StoreHealth (sqlite_store_health.cc)
  Status CheckHealth() override;
  // How long each transaction's COMMIT took, for /metrics.
  const LatencyHistogram& commit_latency() const { return connections_->commit_latency(); }

  // GatewayEventStore (sqlite_gateway_event_store.cc)
  Result<bool> GatewayEventApplied(const std::string& id) override;
  Status RecordGatewayEvent(const std::string& id, const std::string& type, Instant at) override;

  // AccountStore (sqlite_account_store.cc)
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
  // Its pieces are always its own (one node): nothing to give back.
  Status ReleaseDueWork(const std::vector<DueWork>&) override { return Ok(); }
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

  // ReportStore (sqlite_report_store.cc)
  Result<OverviewRows> OverviewRowsSince(Instant since,
                                         const std::optional<std::string>& clock_id) override;

  // IdempotencyStore (sqlite_idempotency_store.cc)
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

  // PayerSessionStore (sqlite_payer_session_store.cc)
  Status CreatePayerSession(const PayerSession& session, Instant now) override;
  Result<std::optional<PayerSession>> FindPayerSession(const std::string& token_hash) override;
  Result<int> RevokePayerSessions(const std::string& payer_id) override;

  // ConsoleSessionStore (sqlite_console_session_store.cc)
  Status CreateConsoleSession(const ConsoleSession& session, Instant now) override;
  Result<std::optional<ConsoleSession>> FindConsoleSession(const std::string& token_hash) override;
  Result<bool> EndConsoleSession(const std::string& token_hash) override;

  // TestClockStore (sqlite_test_clock_store.cc)
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
  Result<std::int64_t> AdvanceWorkLeft(const std::string& clock_id, Instant until) override;
  Status ReadyAdvancingTestClocks() override;

  // WebhookEndpointStore (sqlite_webhook_endpoint_store.cc)
  Status CreateWebhookEndpoint(const WebhookEndpoint& endpoint) override;
  Status UpdateWebhookEndpoint(const WebhookEndpoint& endpoint) override;
  Result<std::optional<WebhookEndpoint>> GetWebhookEndpoint(const std::string& id) override;
  Result<std::vector<WebhookEndpoint>> ListWebhookEndpoints() override;
  Result<bool> DisableWebhookEndpoint(const std::string& id, const std::string& reason, Instant at,
                                      std::optional<Instant> failing_since_before) override;

  // WebhookDeliveryStore (sqlite_webhook_delivery_store.cc)
  // One node serves a database file, so there is no other node to hand a delivery to: `lease`
  // asks nothing here, and the dispatcher's own count keeps its in-flight limit.
  Result<std::vector<DueDelivery>> DueDeliveries(Instant now, int limit,
                                                 const std::vector<std::string>& skipped,
                                                 const DeliveryLease& lease) override;
  Result<std::vector<std::optional<Instant>>> RecordDeliveryAttempts(
      const std::vector<DeliveryAttempt>& attempts) override;
  Status ReleaseDeliveries(const std::vector<DueDelivery>&) override { return Ok(); }
  Result<int> RecoverDeliveries(const std::string& endpoint_id, Instant since) override;
  Result<std::string> ResendEvent(const std::string& endpoint_id,
                                  const std::string& event_id) override;
  Result<std::vector<DeliveryAttempt>> ListDeliveryAttempts(const std::string& endpoint_id,
                                                            int limit) override;

 private:
  SqliteStore(std::unique_ptr<SqliteConnections> connections, IdGenerator& ids);

  // A write that changes what a request may ask for (accounts, test clocks, endpoints,
  // deliveries, the catalog). Inside an IdempotentRequestScope it records, in its own
  // transaction, that the scope's key made `made` (idempotency_store.h); else it is a plain
  // write. Every such write goes through here, so none can forget the record. `made` is asked
  // for only inside a scope, so a write that no request keyed pays nothing for it. Inside a
  // GatewayEventScope, the first such write also records the gateway's message it applies, and
  // is refused whole when the message was applied already (gateway_event_scope.h).
  Status WriteChange(const Doing& doing, const std::function<std::string()>& made,
                     SqliteConnections::WriteJob job);
  Status WriteChange(const Doing& doing, const std::string& made, SqliteConnections::WriteJob job) {
    return WriteChange(
        doing, [&made] { return made; }, std::move(job));
  }

  // Each member uses the ones above it, so they go first.
  std::unique_ptr<SqliteConnections> connections_;
  SqliteEventBodyDictionaries event_body_dictionaries_;
  std::unique_ptr<EventBodyCodec> event_bodies_;
  IdGenerator& ids_;
  // This run of the process: what its leases on pending attempts are held under. One process
  // holds the file, so a lease held under another is an earlier run's, and over.
  const std::string run_id_;
};

}  // namespace recur
