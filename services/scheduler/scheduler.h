// Runs due work (due_work.h) on time, exactly once. Work is read from the store oldest first in
// bounded batches and the payers of a batch run in parallel, their commits grouped into shared
// transactions by the store. A payer's pieces of a batch go to the billing service together,
// which runs them in order in one transaction as far as that is the same as one by one
// (BillingService::RunDue); what it leaves, and whatever a piece made due, is read back in due
// order by a following batch. Each piece is applied at its due instant (events carry the due
// time, not the time the scheduler got to it) and marked done in the same transaction as its
// changes, so a crash neither loses nor repeats it, and two runners racing apply it once.
// A payer whose checkout waits for the gateway has its work wait too: the store does not hand
// it out (account_store.h), and work read just before the checkout began is left, not failed.
// Neither holds up other payers' work, a test clock's advance, or fills the log.
// Several nodes may run schedulers on one database: the store leases each piece it hands out to
// the node that read it (account_store.h), so each piece is applied by one node, and a piece
// whose lease was lost before its change committed (a node paused past its lease) is refused
// whole by the store and left to the node that holds it now, not counted as a failure. A
// charge asked for by a piece is made after the change (its pending attempt) commits, so a
// node whose lease was lost never charges for that piece.
// A background loop runs the work of payers on real time, polling at a jittered interval so
// that nodes started together do not poll in step; RunUntil runs a test clock's. A stopping
// loop gives back the work it holds and did not apply. Where nodes
// share the database (ShareAdvances), the loop also runs, at each poll, the work of every test
// clock another node is advancing, up to the advance's target: the work of an advance is spread
// over the nodes, each piece applied by the one that leased it, a payer's pieces in due order.
// At each poll the loop also settles the pending payment attempts no live node is settling
// (BillingService::SettlePendingAttempts): a dead node's, a paused one's whose lease lapsed, and
// those whose charge the gateway answered as pending once their wait is over.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/error.h"
#include "base/jitter.h"
#include "base/metrics.h"
#include "services/billing/billing_service.h"
#include "store/account_store.h"
#include "store/test_clock_store.h"

namespace recur {

struct SchedulerOptions {
  int batch_size = 1000;  // pieces of due work read at once; bounds memory in a burst
  // Payers worked on at once. Their writes share group commits, so more of them at once make
  // fewer, larger transactions; a worker mostly waits for a commit, not for a core.
  int workers = 64;
  std::chrono::milliseconds poll{1000};  // how often the real-time loop looks for due work
  double poll_jitter = 0.2;              // each wait is spread by up to ±20% (base/jitter.h)
  // Seeds the jitter so that a run's waits repeat (tests); none: seeded from random bytes.
  std::optional<std::uint64_t> jitter_seed;
};

class Scheduler {
 public:
  Scheduler(BillingService& billing, AccountStore& store, const Clock& clock,
            SchedulerOptions options);
  ~Scheduler();

  // Runs, oldest first, everything due at or before `until` for the payers of test clock
  // `clock_id` (none: payers on real time), including work that comes due on the way.
  // Returns how many pieces ran; fails when a batch makes no progress at all and some piece
  // failed (work left waiting for a checkout is not a failure).
  Result<std::size_t> RunUntil(Instant until, const std::optional<std::string>& clock_id);

  // Starts and stops the background loop for payers on real time. Start runs what fell due
  // while the server was down first (catch-up), oldest first. A stop lets the payers being
  // applied finish, begins no other, and gives back (AccountStore::ReleaseDueWork) the work the
  // loop read and did not apply, so that another node takes it at once. RequestStop asks for
  // that and returns; Stop asks and waits until the loop has ended.
  void Start();
  void RequestStop();
  void Stop();

  // The loop also runs the work of the test clocks `clocks` says other nodes are advancing.
  // Call before Start().
  void ShareAdvances(TestClockStore& clocks) { advances_ = &clocks; }

  // Where the real-time loop stands (readiness, metrics): whether it runs, and the instant (of
  // the injected clock) at which its last finished pass began. A pass ends when nothing due at
  // its beginning is left that the store hands out: every piece applied, failed (a failing
  // piece does not hold the loop back; it is counted and logged) or waiting for a checkout.
  // So the time since `caught_up_to` is how far behind the loop is: a poll or two while it
  // keeps up, growing while it works through a backlog or cannot read the store. None before
  // the first pass ends. Lock-free.
  struct Progress {
    bool running = false;
    std::optional<Instant> caught_up_to;
  };
  Progress LoopProgress() const;

  // Pieces of due work applied and failed so far (all runs, test clocks' included), whether
  // the loop runs, and how far behind it is (the time since LoopProgress's caught_up_to).
  void WriteMetrics(MetricsText& text) const;

 private:
  // RunUntil; when `stoppable`, it ends between payers once a stop is asked for. `left` is what
  // the last batch read and did not apply (still leased to this node) when it returns.
  Result<std::size_t> Run(Instant until, const std::optional<std::string>& clock_id, bool stoppable,
                          std::vector<DueWork>& left);
  void Loop();
  void RunAdvancesUnderway();
  // One pass of BillingService::SettlePendingAttempts, of at most a batch; failures are logged.
  void SettlePendingAttempts();

  BillingService& billing_;
  AccountStore& store_;
  const Clock& clock_;
  const SchedulerOptions options_;
  TestClockStore* advances_ = nullptr;  // none: advances run only where they were asked for
  Jitter jitter_;                       // of the loop's waits
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> stop_requested_ = false;  // stopping_, read by the workers without the mutex
  std::atomic<bool> looping_ = false;
  Counter applied_;
  Counter failed_;
  std::atomic<std::int64_t> caught_up_to_ms_ = -1;  // Unix ms; -1: no pass has ended
  std::thread loop_;
};

}  // namespace recur
