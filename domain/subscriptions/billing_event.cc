#include "domain/subscriptions/billing_event.h"

#include "base/enum_names.h"

namespace recur {

std::optional<EventType> ParseEventType(std::string_view name) {
  return ParseEnumName<EventType>(name, EventTypeName);
}

}  // namespace recur
