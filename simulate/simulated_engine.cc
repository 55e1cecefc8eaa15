#include "simulate/simulated_engine.h"

#include <stdlib.h>

#include <system_error>

#include "domain/catalog/catalog_problem.h"
#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"

namespace recur {

SimulatedEngine::SimulatedEngine(const SimulatedEngineOptions& options)
    : clock_(options.start), ids_(options.seed) {}

SimulatedEngine::TemporaryFolder::~TemporaryFolder() {
  std::error_code ignored;
  if (!path.empty()) std::filesystem::remove_all(path, ignored);
}

Result<std::unique_ptr<SimulatedEngine>> SimulatedEngine::Open(
    SimulatedEngineOptions options, ObservedAccountStore::Listener on_commit) {
  std::unique_ptr<SimulatedEngine> engine(new SimulatedEngine(options));
  std::string pattern = (std::filesystem::temp_directory_path() / "recur-simulate-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return MakeError(ErrorKind::kUnavailable, "temporary_database",
                     "cannot make a folder for the temporary database under " +
                         std::filesystem::temp_directory_path().string());
  }
  engine->directory_.path = pattern;

  auto store = SqliteStore::Open((engine->directory_.path / "simulation.db").string(), engine->ids_,
                                 options.start);
  if (!store) return std::unexpected(store.error());
  engine->store_ = std::move(*store);
  engine->catalog_ = std::make_unique<CatalogService>(options.plans_path, *engine->store_,
                                                      engine->clock_, options.adjust_plan);
  auto loaded = engine->catalog_->Reload();
  if (!loaded) return std::unexpected(loaded.error());
  if (!loaded->ok()) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_catalog",
                     "the plan catalog at " + options.plans_path + " is invalid:\n" +
                         FormatProblems(loaded->problems));
  }
  PaymentGateway* gateway = options.gateway;
  if (gateway == nullptr) {
    engine->sandbox_ledger_ = std::make_unique<MemorySandboxLedger>();
    engine->sandbox_ = std::make_unique<SandboxGateway>(*engine->sandbox_ledger_, &engine->ids_);
    gateway = engine->sandbox_.get();
  }
  AccountStore& accounts = options.accounts != nullptr ? *options.accounts : *engine->store_;
  engine->accounts_ = std::make_unique<ObservedAccountStore>(accounts, std::move(on_commit));
  engine->billing_ = std::make_unique<BillingService>(
      *engine->accounts_, *engine->store_, *engine->catalog_, *gateway, engine->clock_,
      engine->ids_, engine->ids_, options.lifecycle, engine->ids_.NewId("ins"),
      options.event_bodies);
  if (auto started = engine->billing_->Start(); !started) {
    return std::unexpected(started.error());
  }
  engine->scheduler_ = std::make_unique<Scheduler>(*engine->billing_, *engine->accounts_,
                                                   engine->clock_, options.scheduler);
  return engine;
}

Result<GatewayMessage> SimulatedEngine::FinishPendingCharge(const std::string& idempotency_key) {
  if (sandbox_ == nullptr) {
    return MakeError(ErrorKind::kFailedPrecondition, "no_sandbox",
                     "this simulation charges through its own gateway, not the sandbox");
  }
  return sandbox_->FinishPendingChargeWithKey(idempotency_key);
}

Result<std::size_t> SimulatedEngine::AdvanceTo(Instant to) {
  if (to < clock_.Now()) {
    return MakeError(ErrorKind::kInvalidArgument, "time_goes_back",
                     "the simulated clock only moves forward");
  }
  auto ran = scheduler_->RunUntil(to, std::nullopt);
  if (!ran) return ran;
  clock_.Set(to);
  return ran;
}

}  // namespace recur
