#include "domain/subscriptions/billing_event.h"

namespace recur {

std::optional<EventType> ParseEventType(std::string_view name) {
  for (int i = 0; i < kEventTypeCount; ++i) {
    const auto type = static_cast<EventType>(i);
    if (EventTypeName(type) == name) return type;
  }
  return std::nullopt;
}

}  // namespace recur
