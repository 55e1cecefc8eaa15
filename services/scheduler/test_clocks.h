// Test clocks, like Stripe's without their limits: a clock is frozen at a time; payers created
// on it live at that time for API calls and for due work alike, and the real clock never moves
// them. Advancing a clock runs, before it returns and in due order, everything that falls due
// for its payers up to the new time, with events stamped at the simulated instants; a clock
// never goes back. One advance of a clock at a time. Thread-safe.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "base/ids.h"
#include "base/keyed_mutex.h"
#include "services/scheduler/scheduler.h"
#include "store/test_clock_store.h"

namespace recur {

class TestClocks {
 public:
  TestClocks(TestClockStore& store, Scheduler& scheduler, IdGenerator& ids, const Clock& clock)
      : store_(store), scheduler_(scheduler), ids_(ids), clock_(clock) {}

  Result<TestClock> Create(Instant frozen_time, std::string name);
  Result<TestClock> Get(const std::string& id);
  // The clock stops: its payers stay frozen at its time and nothing runs for them any more.
  Result<TestClock> Delete(const std::string& id);
  Result<TestClock> Advance(const std::string& id, Instant to);

 private:
  TestClockStore& store_;
  Scheduler& scheduler_;
  IdGenerator& ids_;
  const Clock& clock_;
  KeyedMutex advancing_;
};

}  // namespace recur
