#include "domain/subscriptions/due_work.h"

namespace recur {

std::string_view DueKindName(DueKind kind) {
  switch (kind) {
    case DueKind::kTrialEndingNotice:
      return "trial_ending_notice";
    case DueKind::kTrialEnd:
      return "trial_end";
    case DueKind::kPeriodEnd:
      return "period_end";
    case DueKind::kDunningRetry:
      return "dunning_retry";
  }
  return "period_end";
}

std::optional<DueKind> ParseDueKind(std::string_view name) {
  for (DueKind kind : {DueKind::kTrialEndingNotice, DueKind::kTrialEnd, DueKind::kPeriodEnd,
                       DueKind::kDunningRetry}) {
    if (DueKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace recur
