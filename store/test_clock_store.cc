#include "store/test_clock_store.h"

namespace recur {

std::string_view TestClockStatusName(TestClockStatus status) {
  switch (status) {
    case TestClockStatus::kReady:
      return "ready";
    case TestClockStatus::kAdvancing:
      return "advancing";
    case TestClockStatus::kDeleted:
      return "deleted";
  }
  return "ready";
}

std::optional<TestClockStatus> ParseTestClockStatus(std::string_view name) {
  for (TestClockStatus status :
       {TestClockStatus::kReady, TestClockStatus::kAdvancing, TestClockStatus::kDeleted}) {
    if (TestClockStatusName(status) == name) return status;
  }
  return std::nullopt;
}

}  // namespace recur
