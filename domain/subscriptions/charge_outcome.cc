#include "domain/subscriptions/charge_outcome.h"

#include "base/enum_names.h"

namespace recur {

std::string_view ChargeStatusName(ChargeStatus status) {
  switch (status) {
    case ChargeStatus::kPaid:
      return "paid";
    case ChargeStatus::kDeclined:
      return "declined";
    case ChargeStatus::kPending:
      return "pending";
    case ChargeStatus::kRequiresAction:
      return "requires_action";
  }
  return "";
}

std::optional<ChargeStatus> ParseChargeStatus(std::string_view name) {
  return ParseEnumName<ChargeStatus>(name, ChargeStatusName);
}

}  // namespace recur
