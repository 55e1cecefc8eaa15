// Whether this node should be sent traffic (GET /readyz): ready only when the database answers
// and takes a write with every migration applied (store_health.h), the scheduler's loop runs
// and has finished a pass over the due work within `max_scheduler_lag`, and the webhook
// dispatcher runs and has read what is due within `max_dispatcher_silence`. Otherwise not
// ready, with the first failing check's reason. Liveness (/healthz) is another matter: a node
// that is alive but not ready should be left out of a load balancer, not restarted.
// The database check runs on a thread of its own, at most once per `fresh` however often it is
// asked, so that probes cost at most one small write a second; a caller waits for a check at
// most `wait`, and a check that takes longer than that is itself a failure (a database that
// does not take a write within it is not one to send traffic to).
// Thread-safe; the scheduler, dispatcher and store outlive it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/error.h"
#include "services/scheduler/scheduler.h"
#include "services/webhooks/dispatcher.h"
#include "store/store_health.h"

namespace recur {

struct ReadinessOptions {
  // The scheduler polls every second and a pass that keeps up ends within a poll or two; a
  // minute behind means renewals, trial ends and retries are being applied a minute late.
  std::chrono::milliseconds max_scheduler_lag{60'000};
  // The dispatcher reads every 200 ms while idle; while every worker is sending to slow
  // endpoints it reads once one is free, within an attempt's timeouts (5 s + 15 s).
  std::chrono::milliseconds max_dispatcher_silence{60'000};
  std::chrono::milliseconds fresh{1000};
  std::chrono::milliseconds wait{2000};
};

class Readiness {
 public:
  // `store` may be null (a store without a health check): the database is then not checked.
  Readiness(StoreHealth* store, const Scheduler& scheduler, const Dispatcher& dispatcher,
            const Clock& clock, ReadinessOptions options = {});
  ~Readiness();
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  // Ok when ready; otherwise "not_ready" (kUnavailable) whose message says which check failed
  // and why.
  Status Check();

 private:
  // The database's verdict, checked anew when the last is older than `fresh`.
  Status CheckDatabase();
  void CheckWhenAsked();

  StoreHealth* store_;
  const Scheduler& scheduler_;
  const Dispatcher& dispatcher_;
  const Clock& clock_;
  const ReadinessOptions options_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::uint64_t asked_ = 0;    // checks asked for
  std::uint64_t checked_ = 0;  // the ask the last verdict answers
  std::optional<std::chrono::steady_clock::time_point> checked_at_;
  Status verdict_ = Ok();
  std::thread checker_;
};

}  // namespace recur
