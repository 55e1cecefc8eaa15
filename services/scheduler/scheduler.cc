#include "services/scheduler/scheduler.h"

#include <unordered_map>
#include <vector>

#include "base/log.h"

namespace recur {
namespace {

// The work of each payer in the order read; payers in the order of their first piece.
std::vector<std::vector<DueWork>> ByPayer(std::vector<DueWork> rows) {
  std::vector<std::vector<DueWork>> payers;
  std::unordered_map<std::string, std::size_t> index;
  for (DueWork& row : rows) {
    auto [at, added] = index.try_emplace(row.payer_id, payers.size());
    if (added) payers.emplace_back();
    payers[at->second].push_back(std::move(row));
  }
  return payers;
}

}  // namespace

Scheduler::Scheduler(BillingService& billing, AccountStore& store, const Clock& clock,
                     SchedulerOptions options)
    : billing_(billing),
      store_(store),
      clock_(clock),
      options_(options),
      jitter_(options_.poll_jitter, options_.jitter_seed) {}

Scheduler::~Scheduler() { Stop(); }

Result<std::size_t> Scheduler::RunUntil(Instant until, const std::optional<std::string>& clock_id) {
  std::vector<DueWork> left;
  return Run(until, clock_id, /*stoppable=*/false, left);
}

Result<std::size_t> Scheduler::Run(Instant until, const std::optional<std::string>& clock_id,
                                   bool stoppable, std::vector<DueWork>& left) {
  std::size_t total = 0;
  while (true) {
    auto rows = store_.DueWorkUntil(until, clock_id, options_.batch_size);
    if (!rows) return std::unexpected(rows.error());
    left.clear();
    if (rows->empty()) return total;
    const std::vector<std::vector<DueWork>> work = ByPayer(std::move(*rows));
    const auto keep_what_is_left = [&] {
      for (const std::vector<DueWork>& pieces : work)
        left.insert(left.end(), pieces.begin(), pieces.end());
    };

    std::atomic<std::size_t> next = 0, done = 0;
    std::mutex failure_mutex;
    std::optional<Error> failure;
    auto run = [&] {
      for (std::size_t i = next++; i < work.size(); i = next++) {
        if (stoppable && stop_requested_) return;  // the payers not begun are given back
        auto ran = billing_.RunDue(work[i]);
        if (ran) {
          done += *ran;
          continue;
        }
        if (ran.error().code == "work_already_done") {
          ++done;  // by another runner: progress all the same
          continue;
        }
        // A checkout began after the work was read: the payer's work waits for its outcome,
        // and the store hands it out again once the checkout is settled.
        if (ran.error().code == "checkout_in_progress") continue;
        // Held too long (a pause, a slow gateway): another node may hold the work now, and
        // this node's change was refused whole. Whoever holds the lease applies it.
        if (ran.error().code == "work_lease_lost") {
          const DueWork& first = work[i].front();
          Log(clock_.Now(), "warn", "due_work_lease_lost",
              {{"work_id", first.id},
               {"payer_id", first.payer_id},
               {"then", "the node holding the lease now applies it"}});
          continue;
        }
        const DueWork& first = work[i].front();
        Log(clock_.Now(), "error", "due_work_failed",
            {{"work_id", first.id},
             {"payer_id", first.payer_id},
             {"kind", DueKindName(first.kind)},
             {"error", ran.error().message}});
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = ran.error();
      }
    };
    const std::size_t threads =
        std::min<std::size_t>(work.size(), static_cast<std::size_t>(options_.workers));
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(run);
    run();
    for (std::thread& worker : workers) worker.join();

    total += done;
    if (stoppable && stop_requested_) {
      keep_what_is_left();  // pieces done are among them: giving them back changes nothing
      return total;
    }
    if (done == 0) {
      keep_what_is_left();
      if (failure) return std::unexpected(*failure);
      return total;  // what is left waits for checkouts
    }
  }
}

void Scheduler::Start() {
  std::lock_guard lock(mutex_);
  if (loop_.joinable()) return;
  stopping_ = false;
  stop_requested_ = false;
  loop_ = std::thread([this] { Loop(); });
}

void Scheduler::RequestStop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stop_requested_ = true;
  }
  wake_.notify_all();
}

void Scheduler::Stop() {
  RequestStop();
  if (loop_.joinable()) loop_.join();
}

void Scheduler::Loop() {
  std::vector<DueWork> left;  // read by the last run and not applied: still leased to this node
  while (true) {
    auto ran = Run(clock_.Now(), std::nullopt, /*stoppable=*/true, left);
    if (ran && *ran > 0) Log(clock_.Now(), "info", "due_work_ran", {{"count", *ran}});
    if (advances_ != nullptr) RunAdvancesUnderway();
    SettlePendingAttempts();
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, jitter_.Spread(options_.poll), [&] { return stopping_; })) break;
  }
  // Given back, so that another node takes it at once rather than once its leases lapse.
  if (Status given_back = store_.ReleaseDueWork(left); !given_back) {
    Log(clock_.Now(), "warn", "due_work_not_given_back",
        {{"count", left.size()},
         {"error", given_back.error().message},
         {"then", "another node takes it once its leases lapse"}});
  }
}

void Scheduler::SettlePendingAttempts() {
  if (stop_requested_) return;
  auto settled = billing_.SettlePendingAttempts(options_.batch_size);
  if (!settled) {
    Log(clock_.Now(), "warn", "pending_attempts_unreadable",
        {{"error", settled.error().message}, {"then", "the next poll tries again"}});
  } else if (*settled > 0) {
    Log(clock_.Now(), "info", "pending_attempts_settled", {{"count", *settled}});
  }
}

void Scheduler::RunAdvancesUnderway() {
  auto underway = advances_->AdvancesUnderway();
  if (!underway) {
    Log(clock_.Now(), "warn", "test_clock_advances_unreadable",
        {{"error", underway.error().message}});
    return;
  }
  for (const ClockAdvance& advance : *underway) {
    // Failures are the advancing node's to report: it answers for the advance, and takes over
    // what this node leaves once its leases lapse.
    auto ran = RunUntil(advance.to, advance.clock_id);
    if (!ran) {
      Log(clock_.Now(), "warn", "test_clock_work_failed",
          {{"clock_id", advance.clock_id}, {"error", ran.error().message}});
    } else if (*ran > 0) {
      Log(clock_.Now(), "info", "test_clock_work_ran",
          {{"clock_id", advance.clock_id}, {"count", *ran}});
    }
  }
}

}  // namespace recur
