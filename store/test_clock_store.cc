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

Error TestClockAdvanceLost(const ClockAdvance& advance) {
  return {ErrorKind::kAborted, "test_clock_advance_lost",
          "the advance of test clock " + advance.clock_id + " to " +
              std::to_string(ToUnixMillis(advance.to)) +
              " no longer holds the clock: its lease lapsed and another node took the clock over "
              "or readied it; the work it applied stays applied",
          ""};
}

}  // namespace recur
