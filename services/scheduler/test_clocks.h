// Test clocks, like Stripe's without their limits: a clock is frozen at a time; payers created
// on it live at that time for API calls and for due work alike, and the real clock never moves
// them. Advancing a clock runs, before it returns and in due order, everything that falls due
// for its payers up to the new time, with events stamped at the simulated instants; a clock
// never goes back.
// One advance of a clock at a time, across every node on the database: an advance takes the
// clock in the store (test_clock_store.h), and a second one, through this node or another,
// answers 409 test_clock_advancing and changes nothing. Where the database is shared, the
// schedulers of every node apply the work of an advancing clock too (Scheduler::ShareAdvances);
// the advance answers once no work of the clock due by its target is left, waiting for what
// other nodes hold (or taking it over once their leases lapse), then moves the clock. A node
// that dies mid-advance leaves its clock advancing until the advance's lease lapses; then a
// later advance takes the clock over from the time it had, or a starting node readies it.
// Thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "base/ids.h"
#include "services/scheduler/scheduler.h"
#include "store/test_clock_store.h"

namespace recur {

struct TestClocksOptions {
  // How long an advance waits before it looks again for its work that other nodes hold: the
  // first wait, doubled after each look up to the longest.
  std::chrono::milliseconds first_wait{10};
  std::chrono::milliseconds longest_wait{250};
  // An advance whose work left has not gone down for this long gives up (503
  // test_clock_advance_stalled): longer than a node's leases on due work, so that it waits out
  // a dead node's.
  std::chrono::milliseconds stall_limit{std::chrono::minutes(3)};
};

class TestClocks {
 public:
  TestClocks(TestClockStore& store, Scheduler& scheduler, IdGenerator& ids, const Clock& clock,
             TestClocksOptions options = {})
      : store_(store), scheduler_(scheduler), ids_(ids), clock_(clock), options_(options) {}

  Result<TestClock> Create(Instant frozen_time, std::string name);
  Result<TestClock> Get(const std::string& id);
  // Every clock, deleted ones included, newest first, in pages (store/test_clock_store.h).
  Result<Page<TestClock>> List(const ListOptions& options);
  // The clock stops: its payers stay frozen at its time and nothing runs for them any more.
  // Refused (409 test_clock_advancing) while an advance holds the clock.
  Result<TestClock> Delete(const std::string& id);
  Result<TestClock> Advance(const std::string& id, Instant to);

 private:
  // Runs the work of an advance taken, then moves the clock; gives the clock up on failure.
  Status Run(const ClockAdvance& advance);

  TestClockStore& store_;
  Scheduler& scheduler_;
  IdGenerator& ids_;
  const Clock& clock_;
  const TestClocksOptions options_;
};

}  // namespace recur
