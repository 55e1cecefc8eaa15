// Future transitions stored as data. A transition that makes something due later (a trial's
// end, a renewal, a notice, a dunning retry) returns DueWork; the store keeps it with the
// change, in the same transaction, and the scheduler hands it back to the lifecycle when it
// falls due. Work is checked against the item's state when it runs: work made stale by a later
// change (a trial extended, an item canceled and ended) does nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace recur {

enum class DueKind {
  kTrialEndingNotice,  // lead = how long before trial_end
  kTrialEnd,
  kPeriodEnd,     // renew, or end a canceled item, or hand over to the upcoming one
  kDunningRetry,  // charge a past-due period again
};

std::string_view DueKindName(DueKind kind);
std::optional<DueKind> ParseDueKind(std::string_view name);

struct DueWork {
  DueKind kind = DueKind::kPeriodEnd;
  std::string payer_id;
  std::string item_id;
  Instant due_at;
  // The trial_end, period_end or past_due_at the work was made for: when the item's value
  // differs at run time, the work is stale.
  Instant reference;
  std::chrono::hours lead{0};  // kTrialEndingNotice only
  int retry = 0;               // kDunningRetry only: which retry (0 = the first)
  std::int64_t id = 0;         // the store's id; 0 until stored
  // The store's lease on the piece as DueWorkUntil handed it out (store/account_store.h): what
  // the change that completes it shows to prove the piece is still the caller's. 0 until handed
  // out, and always 0 from a store one node has to itself.
  std::int64_t lease = 0;
  friend bool operator==(const DueWork&, const DueWork&) = default;
};

}  // namespace recur
