#include "domain/subscriptions/due_work.h"

#include "base/enum_names.h"

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
  return "";
}

std::optional<DueKind> ParseDueKind(std::string_view name) {
  return ParseEnumName<DueKind>(name, DueKindName);
}

}  // namespace recur
