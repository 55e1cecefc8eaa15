#include "domain/catalog/plan.h"

#include "base/enum_names.h"

namespace recur {

std::string_view PayerTypeName(PayerType type) {
  switch (type) {
    case PayerType::kUser:
      return "user";
    case PayerType::kOrg:
      return "org";
  }
  return "";
}

std::optional<PayerType> ParsePayerType(std::string_view name) {
  return ParseEnumName<PayerType>(name, PayerTypeName);
}

}  // namespace recur
