// Where test clocks are kept (see services/scheduler/test_clocks.h). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/error.h"

namespace recur {

struct TestClock {
  std::string id;  // clock_...
  std::string name;
  Instant frozen_time;
  std::string status;  // "ready", "advancing" or "deleted"
  Instant created_at;
};

class TestClockStore {
 public:
  virtual ~TestClockStore() = default;
  virtual Status CreateTestClock(const TestClock& clock) = 0;
  virtual Result<std::optional<TestClock>> GetTestClock(const std::string& id) = 0;
  virtual Status UpdateTestClock(const std::string& id, Instant frozen_time,
                                 std::string_view status) = 0;
  // An advance cut short by a crash leaves its clock "advancing"; at start it is "ready" again
  // at the time it had, and the advance can be asked for again.
  virtual Status ReadyAdvancingTestClocks() = 0;
};

}  // namespace recur
