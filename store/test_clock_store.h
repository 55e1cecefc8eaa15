// Where test clocks are kept (see services/scheduler/test_clocks.h). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/error.h"

namespace recur {

enum class TestClockStatus {
  kReady,      // may be advanced
  kAdvancing,  // an advance is running (or was cut short by a crash)
  kDeleted,    // kept for the payers that lived on it; never advanced again
};
std::string_view TestClockStatusName(TestClockStatus status);  // "ready", "advancing", "deleted"
std::optional<TestClockStatus> ParseTestClockStatus(std::string_view name);

struct TestClock {
  std::string id;  // clock_...
  std::string name;
  Instant frozen_time;
  TestClockStatus status = TestClockStatus::kReady;
  Instant created_at;
};

class TestClockStore {
 public:
  virtual ~TestClockStore() = default;
  virtual Status CreateTestClock(const TestClock& clock) = 0;
  virtual Result<std::optional<TestClock>> GetTestClock(const std::string& id) = 0;
  virtual Status UpdateTestClock(const std::string& id, Instant frozen_time,
                                 TestClockStatus status) = 0;
  // An advance cut short by a crash leaves its clock "advancing"; at start it is "ready" again
  // at the time it had, and the advance can be asked for again.
  virtual Status ReadyAdvancingTestClocks() = 0;
};

}  // namespace recur
