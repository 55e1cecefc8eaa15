// The real billing engine on a simulated clock, for `recur simulate`: the same catalog loading,
// billing service, lifecycle, event rendering, scheduler and SQLite schema as `recur serve`,
// on a temporary database that is deleted with the engine. Time is a ManualClock that moves only
// through AdvanceTo, which first runs, in due order and at their due instants, everything that
// falls due on the way (as a test clock's advance does). Ids (and the sandbox's charge ids) come
// from a generator seeded with `seed`, so the same inputs give the same ids and payloads as long
// as the scheduler runs one worker (with more, payers' due work draws ids in racing order). Every
// stored transition is reported to the listener given to Open (see observed_account_store.h for
// when and on which thread). Not for concurrent use by several drivers: one caller advances the
// clock and makes changes.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "base/ids.h"
#include "gateways/payment_gateway.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "gateways/sandbox/sandbox_ledger.h"
#include "services/billing/billing_service.h"
#include "services/catalog/catalog_service.h"
#include "services/scheduler/scheduler.h"
#include "store/observed_account_store.h"
#include "store/sqlite/sqlite_store.h"

namespace recur {

struct SimulatedEngineOptions {
  std::string plans_path = "plans";  // a folder of plan files or one catalog file
  LifecycleOptions lifecycle;
  std::uint64_t seed = 1;
  Instant start;  // the simulated time at which the engine starts
  // Where payers' accounts are kept. Null: the SQLite database, as `recur serve` keeps them.
  AccountStore* accounts = nullptr;
  // Who answers charges. Null: the sandbox gateway (Stripe's test tokens), in memory.
  PaymentGateway* gateway = nullptr;
  // Applied to every plan read from the files (see catalog_service.h); none: the files as they
  // are.
  PlanAdjustment adjust_plan;
  EventBodies event_bodies = EventBodies::kRendered;
  SchedulerOptions scheduler;
};

class SimulatedEngine {
 public:
  // Fails when the plan catalog is invalid (the message lists every problem) or the temporary
  // database cannot be made.
  static Result<std::unique_ptr<SimulatedEngine>> Open(SimulatedEngineOptions options,
                                                       ObservedAccountStore::Listener on_commit);

  BillingService& billing() { return *billing_; }
  std::shared_ptr<const Catalog> catalog() const { return catalog_->Current(); }
  Instant Now() const { return clock_.Now(); }

  // Runs everything due up to `to`, then the clock reads `to`. `to` must not be earlier than
  // Now(). Returns how many pieces of due work ran.
  Result<std::size_t> AdvanceTo(Instant to);

  // The sandbox gateway finishes the pending charge made with `idempotency_key` (as the card
  // network would) and returns its notice; apply it with BillingService::ApplyGatewayNotice.
  // Fails with "no_sandbox" when the engine was given another gateway.
  Result<GatewayMessage> FinishPendingCharge(const std::string& idempotency_key);

 private:
  explicit SimulatedEngine(const SimulatedEngineOptions& options);

  // A folder removed with everything in it when destroyed; declared first, so it goes after
  // every member that uses the database inside it.
  struct TemporaryFolder {
    TemporaryFolder() = default;
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;
    ~TemporaryFolder();
    std::filesystem::path path;  // empty until made
  };

  TemporaryFolder directory_;  // the temporary database's
  ManualClock clock_;
  SeededIdGenerator ids_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<CatalogService> catalog_;
  std::unique_ptr<SandboxLedger> sandbox_ledger_;  // the sandbox's records, before it
  std::unique_ptr<SandboxGateway> sandbox_;
  std::unique_ptr<ObservedAccountStore> accounts_;
  std::unique_ptr<BillingService> billing_;
  std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace recur
