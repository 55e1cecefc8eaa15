// One run of a scenario's steps on the real engine, as `recur serve` composes it: the catalog
// service on the shipped plan files, the billing service, the scheduler and test clocks, the
// sandbox gateway (Stripe's test tokens, records in memory), with payers' accounts in the
// memory store or in SQLite. Every payer lives on one test clock, made at the scenario's start,
// and an advance advances that clock; so a run takes the same steps at the same instants as
// `recur simulate scenario` on its global simulated clock (with other ids). Ids come from a
// generator seeded with the run's seed and the scheduler runs one worker, so the same steps
// draw the same ids on either backend.
// The SQLite database lives in /dev/shm when there is one (commits there cost no disk flush)
// and is deleted with the harness. Not thread-safe: one caller takes the steps.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/ids.h"
#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "services/billing/billing_service.h"
#include "services/catalog/catalog_service.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/test_clocks.h"
#include "simulate/scenario_stepper.h"
#include "store/memory/memory_account_store.h"
#include "store/observed_account_store.h"
#include "store/sqlite/sqlite_store.h"

namespace recur::random_lifecycle {

enum class Backend { kMemory, kSqlite };
std::string_view BackendName(Backend backend);  // "memory", "sqlite"

// One stored transition, as the store was asked to keep it.
struct Commit {
  std::optional<Account> before;  // none for a new payer
  Account after;
  std::vector<StoredEvent> events;
};

class LifecycleHarness {
 public:
  static Result<std::unique_ptr<LifecycleHarness>> Open(Backend backend, Instant start,
                                                        std::uint64_t seed,
                                                        const std::string& plans_path,
                                                        LifecycleOptions options = {});
  ~LifecycleHarness();
  LifecycleHarness(const LifecycleHarness&) = delete;
  LifecycleHarness& operator=(const LifecycleHarness&) = delete;

  // Takes one step, as scenario_stepper.h says.
  Result<std::string> Take(const ScenarioStep& step) { return stepper_->Take(step); }
  // The transitions stored since the last call, in the order stored.
  std::vector<Commit> TakeCommits();

  BillingService& billing() { return *billing_; }
  AccountStore& accounts() { return *observed_; }
  SandboxLedger& ledger() { return ledger_; }
  const std::string& test_clock_id() const { return test_clock_id_; }
  // The test clock's time: where the scenario is.
  Instant Now();
  std::string PayerId(const std::string& name) const { return stepper_->PayerId(name); }

 private:
  LifecycleHarness(std::uint64_t seed, Instant start);

  std::filesystem::path folder_;
  ManualClock clock_;  // real time, which no payer lives on; stays at the start
  SeededIdGenerator ids_;
  MemorySandboxLedger ledger_;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<MemoryAccountStore> memory_;
  std::unique_ptr<ObservedAccountStore> observed_;
  std::unique_ptr<CatalogService> catalog_;
  std::unique_ptr<SandboxGateway> gateway_;
  std::unique_ptr<BillingService> billing_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<TestClocks> test_clocks_;
  std::unique_ptr<ScenarioStepper> stepper_;
  std::string test_clock_id_;
  std::mutex commits_mutex_;  // the scheduler's worker stores too
  std::vector<Commit> commits_;
};

}  // namespace recur::random_lifecycle
