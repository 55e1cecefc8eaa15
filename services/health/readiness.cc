#include "services/health/readiness.h"

#include <string>

namespace recur {
namespace {

Error NotReady(const std::string& why) {
  return Error{ErrorKind::kUnavailable, "not_ready", "not ready: " + why};
}

std::string Seconds(std::chrono::milliseconds duration) {
  return std::to_string(duration.count() / 1000) + " s";
}

}  // namespace

Readiness::Readiness(StoreHealth* store, const Scheduler& scheduler, const Dispatcher& dispatcher,
                     const Clock& clock, ReadinessOptions options)
    : store_(store),
      scheduler_(scheduler),
      dispatcher_(dispatcher),
      clock_(clock),
      options_(options) {
  if (store_ != nullptr) checker_ = std::thread([this] { CheckWhenAsked(); });
}

Readiness::~Readiness() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (checker_.joinable()) checker_.join();
}

void Readiness::CheckWhenAsked() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || asked_ > checked_; });
    if (stopping_) return;
    const std::uint64_t answering = asked_;
    lock.unlock();
    Status verdict = store_->CheckHealth();
    lock.lock();
    verdict_ = std::move(verdict);
    checked_ = answering;
    checked_at_ = std::chrono::steady_clock::now();
    changed_.notify_all();
  }
}

Status Readiness::CheckDatabase() {
  if (store_ == nullptr) return Ok();
  std::unique_lock lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (checked_at_ && now - *checked_at_ < options_.fresh) return verdict_;
  const std::uint64_t ask = ++asked_;
  changed_.notify_all();
  if (!changed_.wait_for(lock, options_.wait, [&] { return checked_ >= ask; })) {
    return MakeError(ErrorKind::kUnavailable, "database_slow",
                     "the database has not taken the readiness check's write within " +
                         std::to_string(options_.wait.count()) + " ms");
  }
  return verdict_;
}

Status Readiness::Check() {
  if (!scheduler_.LoopProgress().running) {
    return std::unexpected(NotReady("the scheduler is not running"));
  }
  if (!dispatcher_.WorkProgress().running) {
    return std::unexpected(NotReady("the webhook dispatcher is not running"));
  }
  if (Status database = CheckDatabase(); !database) {
    return std::unexpected(NotReady("the database cannot serve: " + database.error().message));
  }
  // Read after the database's check, which the loops may have waited beside.
  const Instant now = clock_.Now();
  const Scheduler::Progress pass = scheduler_.LoopProgress();
  if (!pass.caught_up_to) {
    return std::unexpected(
        NotReady("the scheduler has not finished its first pass over the due work yet"));
  }
  const auto lag = std::chrono::duration_cast<std::chrono::milliseconds>(now - *pass.caught_up_to);
  if (lag > options_.max_scheduler_lag) {
    return std::unexpected(NotReady("the scheduler is " + Seconds(lag) +
                                    " behind the due work (at most " +
                                    Seconds(options_.max_scheduler_lag) + ")"));
  }
  const Dispatcher::Progress read = dispatcher_.WorkProgress();
  if (!read.last_read) {
    return std::unexpected(NotReady("the webhook dispatcher has not read what is due yet"));
  }
  const auto silence = std::chrono::duration_cast<std::chrono::milliseconds>(now - *read.last_read);
  if (silence > options_.max_dispatcher_silence) {
    return std::unexpected(NotReady("the webhook dispatcher has not read what is due for " +
                                    Seconds(silence) + " (at most " +
                                    Seconds(options_.max_dispatcher_silence) + ")"));
  }
  return Ok();
}

}  // namespace recur
