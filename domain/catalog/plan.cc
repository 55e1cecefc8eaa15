#include "domain/catalog/plan.h"

namespace recur {

std::string_view PayerTypeName(PayerType type) {
  switch (type) {
    case PayerType::kUser:
      return "user";
    case PayerType::kOrg:
      return "org";
  }
  return "user";  // unreachable: the switch is exhaustive
}

std::optional<PayerType> ParsePayerType(std::string_view name) {
  if (name == "user") return PayerType::kUser;
  if (name == "org") return PayerType::kOrg;
  return std::nullopt;
}

}  // namespace recur
