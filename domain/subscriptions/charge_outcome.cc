#include "domain/subscriptions/charge_outcome.h"

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
  for (ChargeStatus status : {ChargeStatus::kPaid, ChargeStatus::kDeclined, ChargeStatus::kPending,
                              ChargeStatus::kRequiresAction}) {
    if (ChargeStatusName(status) == name) return status;
  }
  return std::nullopt;
}

}  // namespace recur
