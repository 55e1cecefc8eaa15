#include "services/scheduler/test_clocks.h"

namespace recur {
namespace {

Status CheckRange(Instant t, const char* param) {
  if (ToUnixMillis(t) < 0 || ToUnixMillis(t) > kLatestUnixMillis) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     std::string(param) + " must be Unix milliseconds from 1970 to 9999", param);
  }
  return Ok();
}

}  // namespace

Result<TestClock> TestClocks::Create(Instant frozen_time, std::string name) {
  if (auto valid = CheckRange(frozen_time, "frozen_time"); !valid) {
    return std::unexpected(valid.error());
  }
  TestClock test_clock{ids_.NewId("clock"), std::move(name), frozen_time, TestClockStatus::kReady,
                       clock_.Now()};
  if (auto created = store_.CreateTestClock(test_clock); !created) {
    return std::unexpected(created.error());
  }
  return test_clock;
}

Result<TestClock> TestClocks::Get(const std::string& id) {
  auto found = store_.GetTestClock(id);
  if (!found) return std::unexpected(found.error());
  if (!*found) {
    return MakeError(ErrorKind::kNotFound, "test_clock_not_found", "no test clock " + id, "id");
  }
  return **found;
}

Result<TestClock> TestClocks::Delete(const std::string& id) {
  auto guard = advancing_.Lock(id);
  auto found = Get(id);
  if (!found) return found;
  if (auto updated = store_.UpdateTestClock(id, found->frozen_time, TestClockStatus::kDeleted);
      !updated) {
    return std::unexpected(updated.error());
  }
  found->status = TestClockStatus::kDeleted;
  return found;
}

Result<TestClock> TestClocks::Advance(const std::string& id, Instant to) {
  if (auto valid = CheckRange(to, "frozen_time"); !valid) return std::unexpected(valid.error());
  auto guard = advancing_.Lock(id);
  auto found = Get(id);
  if (!found) return found;
  if (found->status == TestClockStatus::kDeleted) {
    return MakeError(ErrorKind::kFailedPrecondition, "test_clock_deleted",
                     "test clock " + id + " is deleted");
  }
  if (to <= found->frozen_time) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_frozen_time",
                     "a test clock only moves forward: frozen_time must be later than " +
                         std::to_string(ToUnixMillis(found->frozen_time)),
                     "frozen_time");
  }
  if (auto marked = store_.UpdateTestClock(id, found->frozen_time, TestClockStatus::kAdvancing);
      !marked) {
    return std::unexpected(marked.error());
  }
  auto ran = scheduler_.RunUntil(to, id);
  if (!ran) {
    (void)store_.UpdateTestClock(id, found->frozen_time, TestClockStatus::kReady);
    return std::unexpected(ran.error());
  }
  if (auto moved = store_.UpdateTestClock(id, to, TestClockStatus::kReady); !moved) {
    return std::unexpected(moved.error());
  }
  found->frozen_time = to;
  found->status = TestClockStatus::kReady;
  return found;
}

}  // namespace recur
