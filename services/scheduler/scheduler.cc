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
    // The real-time loop's pass has ended: nothing due at `until` is left to hand out.
    const auto pass_ended = [&] {
      if (stoppable) caught_up_to_ms_ = ToUnixMillis(until);
    };
    if (rows->empty()) {
      pass_ended();
      return total;
    }
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
        failed_.Add();
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
    applied_.Add(done);
    if (stoppable && stop_requested_) {
      keep_what_is_left();  // pieces done are among them: giving them back changes nothing
      return total;
    }
    if (done == 0) {
      keep_what_is_left();
      pass_ended();  // what is left failed, or waits for checkouts
      if (failure) return std::unexpected(*failure);
      return total;
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

Scheduler::Progress Scheduler::LoopProgress() const {
  Progress progress;
  progress.running = looping_;
  if (const std::int64_t ms = caught_up_to_ms_; ms >= 0) progress.caught_up_to = FromUnixMillis(ms);
  return progress;
}

void Scheduler::WriteMetrics(MetricsText& text) const {
  text.Family("recur_due_work_applied_total", "counter",
              "Pieces of due work (renewals, trial ends, retries, ...) applied by this node");
  text.Sample("recur_due_work_applied_total", {}, applied_.Value());
  text.Family("recur_due_work_failed_total", "counter",
              "Pieces of due work whose application failed (each logged as due_work_failed); "
              "they are tried again at the next poll");
  text.Sample("recur_due_work_failed_total", {}, failed_.Value());
  const Progress progress = LoopProgress();
  text.Family("recur_scheduler_running", "gauge", "1 while the scheduler's real-time loop runs");
  text.Sample("recur_scheduler_running", {}, std::uint64_t{progress.running ? 1u : 0u});
  text.Family("recur_due_work_lag_seconds", "gauge",
              "How far behind the scheduler is: the age of the oldest due work it has not yet "
              "got to (the time since its last finished pass began); -1 before its first pass");
  text.Sample("recur_due_work_lag_seconds", {},
              progress.caught_up_to
                  ? std::chrono::duration<double>(clock_.Now() - *progress.caught_up_to).count()
                  : -1.0);
}

void Scheduler::Loop() {
  looping_ = true;
  std::vector<DueWork> left;  // read by the last run and not applied: still leased to this node
  while (true) {
    auto ran = Run(clock_.Now(), std::nullopt, /*stoppable=*/true, left);
    if (ran && *ran > 0) Log(clock_.Now(), "info", "due_work_ran", {{"count", *ran}});
    if (advances_ != nullptr) RunAdvancesUnderway();
    SettlePendingAttempts();
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, jitter_.Spread(options_.poll), [&] { return stopping_; })) break;
  }
  looping_ = false;
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
