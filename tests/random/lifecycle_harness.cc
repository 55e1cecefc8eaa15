#include "tests/random/lifecycle_harness.h"

#include <stdlib.h>

#include <system_error>

namespace recur::random_lifecycle {

std::string_view BackendName(Backend backend) {
  return backend == Backend::kMemory ? "memory" : "sqlite";
}

LifecycleHarness::LifecycleHarness(std::uint64_t seed, Instant start) : clock_(start), ids_(seed) {}

LifecycleHarness::~LifecycleHarness() {
  // What uses the database goes before its files.
  stepper_.reset();
  test_clocks_.reset();
  scheduler_.reset();
  billing_.reset();
  gateway_.reset();
  catalog_.reset();
  observed_.reset();
  memory_.reset();
  sqlite_.reset();
  std::error_code ignored;
  if (!folder_.empty()) std::filesystem::remove_all(folder_, ignored);
}

Result<std::unique_ptr<LifecycleHarness>> LifecycleHarness::Open(Backend backend, Instant start,
                                                                 std::uint64_t seed,
                                                                 const std::string& plans_path,
                                                                 LifecycleOptions options) {
  std::unique_ptr<LifecycleHarness> harness(new LifecycleHarness(seed, start));
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::is_directory("/dev/shm", error)
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
  std::string pattern = (parent / "recur-random-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return MakeError(ErrorKind::kUnavailable, "temporary_database",
                     "cannot make a folder for the database under " + parent.string());
  }
  harness->folder_ = pattern;
  auto sqlite = SqliteStore::Open((harness->folder_ / "recur.db").string(), harness->ids_, start);
  if (!sqlite) return std::unexpected(sqlite.error());
  harness->sqlite_ = std::move(*sqlite);
  harness->catalog_ =
      std::make_unique<CatalogService>(plans_path, *harness->sqlite_, harness->clock_);
  auto loaded = harness->catalog_->Reload();
  if (!loaded) return std::unexpected(loaded.error());
  if (!loaded->ok()) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_catalog",
                     "the plan catalog at " + plans_path + " is invalid");
  }
  AccountStore* accounts = harness->sqlite_.get();
  if (backend == Backend::kMemory) {
    harness->memory_ = std::make_unique<MemoryAccountStore>();
    accounts = harness->memory_.get();
  }
  LifecycleHarness* self = harness.get();
  harness->observed_ = std::make_unique<ObservedAccountStore>(
      *accounts,
      [self](const Account* before, const Account& after, const std::vector<StoredEvent>& events) {
        std::lock_guard lock(self->commits_mutex_);
        self->commits_.push_back(
            {before ? std::optional<Account>(*before) : std::nullopt, after, events});
      });
  harness->gateway_ = std::make_unique<SandboxGateway>(harness->ledger_, &harness->ids_);
  harness->billing_ = std::make_unique<BillingService>(
      *harness->observed_, *harness->sqlite_, *harness->catalog_, *harness->gateway_,
      harness->clock_, harness->ids_, harness->ids_, std::move(options),
      harness->ids_.NewId("ins"));
  if (auto started = harness->billing_->Start(); !started) {
    return std::unexpected(started.error());
  }
  harness->scheduler_ = std::make_unique<Scheduler>(
      *harness->billing_, *harness->observed_, harness->clock_, SchedulerOptions{.workers = 1});
  harness->test_clocks_ = std::make_unique<TestClocks>(*harness->sqlite_, *harness->scheduler_,
                                                       harness->ids_, harness->clock_);
  auto test_clock = harness->test_clocks_->Create(start, "random lifecycle");
  if (!test_clock) return std::unexpected(test_clock.error());
  harness->test_clock_id_ = test_clock->id;
  harness->stepper_ = std::make_unique<ScenarioStepper>(
      *harness->billing_, [self] { return self->Now(); },
      [self](Instant to) -> Result<std::size_t> {
        // A test clock's advance does not say how many pieces of work ran: none are counted.
        auto advanced = self->test_clocks_->Advance(self->test_clock_id_, to);
        if (!advanced) return std::unexpected(advanced.error());
        return std::size_t{0};
      },
      [self](const std::string& key) { return self->gateway_->FinishPendingChargeWithKey(key); },
      harness->test_clock_id_);
  return harness;
}

Instant LifecycleHarness::Now() {
  auto test_clock = test_clocks_->Get(test_clock_id_);
  return test_clock ? test_clock->frozen_time : clock_.Now();
}

std::vector<Commit> LifecycleHarness::TakeCommits() {
  std::lock_guard lock(commits_mutex_);
  return std::exchange(commits_, {});
}

}  // namespace recur::random_lifecycle
