#include "billing/scheduler/scheduler.h"

#include <unordered_set>
#include <vector>

#include "base/log.h"

namespace recur {
namespace {

// The first piece of work of each payer, in the order read.
std::vector<DueWork> FirstPerPayer(std::vector<DueWork> rows) {
  std::vector<DueWork> firsts;
  std::unordered_set<std::string> seen;
  for (DueWork& row : rows) {
    if (seen.insert(row.payer_id).second) firsts.push_back(std::move(row));
  }
  return firsts;
}

}  // namespace

Scheduler::Scheduler(BillingService& billing, AccountStore& store, const Clock& clock,
                     SchedulerOptions options)
    : billing_(billing), store_(store), clock_(clock), options_(options) {}

Scheduler::~Scheduler() { Stop(); }

Result<std::size_t> Scheduler::RunUntil(Instant until, const std::optional<std::string>& clock_id) {
  std::size_t total = 0;
  while (true) {
    auto rows = store_.DueWorkUntil(until, clock_id, options_.batch_size);
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty()) return total;
    const std::vector<DueWork> work = FirstPerPayer(std::move(*rows));

    std::atomic<std::size_t> next = 0, done = 0;
    std::mutex failure_mutex;
    std::optional<Error> failure;
    auto run = [&] {
      for (std::size_t i = next++; i < work.size(); i = next++) {
        auto outcome = billing_.RunDue(work[i]);
        if (outcome || outcome.error().code == "work_already_done") {
          ++done;
          continue;
        }
        Log(clock_.Now(), "error", "due_work_failed",
            {{"work_id", work[i].id},
             {"payer_id", work[i].payer_id},
             {"kind", DueKindName(work[i].kind)},
             {"error", outcome.error().message}});
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = outcome.error();
      }
    };
    const std::size_t threads =
        std::min<std::size_t>(work.size(), static_cast<std::size_t>(options_.workers));
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(run);
    run();
    for (std::thread& worker : workers) worker.join();

    total += done;
    if (done == 0) return std::unexpected(*failure);
  }
}

void Scheduler::Start() {
  std::lock_guard lock(mutex_);
  if (loop_.joinable()) return;
  stopping_ = false;
  loop_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (loop_.joinable()) loop_.join();
}

void Scheduler::Loop() {
  while (true) {
    auto ran = RunUntil(clock_.Now(), std::nullopt);
    if (ran && *ran > 0) Log(clock_.Now(), "info", "due_work_ran", {{"count", *ran}});
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, options_.poll, [&] { return stopping_; })) return;
  }
}

}  // namespace recur
