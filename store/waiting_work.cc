#include "store/waiting_work.h"

namespace recur {

std::optional<Instant> WaitingWorkReleasedAt(const AccountChanges& changes) {
  for (const auto& [attempt, old] : changes.attempts) {
    if (old != nullptr && old->purpose == ChargePurpose::kCheckout &&
        old->status == AttemptStatus::kPending && attempt->status != AttemptStatus::kPending) {
      return attempt->updated_at;
    }
  }
  return std::nullopt;
}

}  // namespace recur
