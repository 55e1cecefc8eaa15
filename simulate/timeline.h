// What `recur simulate scenario` prints: the timeline of a scenario run, one entry per step
// taken and per event the engine made, in simulated-time order. Formatting is pure: the same
// entries always print the same text.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace recur {

// The answer of a handler to one delivered event (--deliver).
struct DeliveryReport {
  std::optional<int> http_status;  // none when no answer came
  std::string error;               // transport failure, when no answer came
  std::int64_t latency_ms = 0;
  bool delivered() const { return http_status && *http_status >= 200 && *http_status < 300; }
};

struct TimelineEntry {
  Instant at;
  std::string payer;  // the scenario's payer name; empty for a step about no payer (advance)
  // A step: the scenario line (and its number) as written, and what came of it besides events.
  std::string step;
  int line = 0;
  std::string outcome;
  // An event: its id, type, a one-line summary of its subject and the exact envelope.
  std::string event_id;
  std::string event_type;
  std::string summary;
  std::string body;
  std::optional<DeliveryReport> delivery;

  bool is_event() const { return !event_type.empty(); }
};

// "pro month active, trial ends 2027-01-15 00:00" for an item, "checkout paid $20.00" for a
// payment attempt, "active" for a subscription: what a handler would look at first.
std::string SummarizeEvent(std::string_view type, const nlohmann::json& envelope);

// "2027-01-01 00:00  alice     > subscribe alice pro" for a step,
// "2027-01-01 00:00  alice        subscriptionItem.active        pro month active, ..." for an
// event; with `payloads`, the event's envelope follows, indented. A delivery's answer ends the
// event's line.
std::string FormatTimelineText(const TimelineEntry& entry, bool payloads);

// One JSON object per entry (no newline): {"time","at","payer","step","line","outcome"} for a
// step, {"time","at","payer","event","id","summary"} for an event, with "payload" (the envelope
// as JSON) when asked, and "delivery" when delivered.
std::string FormatTimelineJson(const TimelineEntry& entry, bool payloads);

// "2027-01-15 00:00": minutes, or seconds when the instant has them.
std::string FormatSimulatedTime(Instant at);

}  // namespace recur
