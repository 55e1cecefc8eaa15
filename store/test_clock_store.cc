#include "store/test_clock_store.h"

#include "base/enum_names.h"

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
  return "";
}

std::optional<TestClockStatus> ParseTestClockStatus(std::string_view name) {
  return ParseEnumName<TestClockStatus>(name, TestClockStatusName);
}

}  // namespace recur
