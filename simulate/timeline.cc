#include "simulate/timeline.h"

#include <date/date.h>

#include "base/log.h"

namespace recur {
namespace {

using nlohmann::json;

std::string TimeAt(const json& value) {
  if (!value.is_number_integer()) return "";
  return FormatSimulatedTime(FromUnixMillis(value.get<std::int64_t>()));
}

std::string Text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string ItemSummary(const json& item) {
  const json& plan = item.value("plan", json());
  std::string text = (plan.is_object() ? Text(plan, "slug") : "?") + " " + Text(item, "interval") +
                     " " + Text(item, "status");
  const std::string status = Text(item, "status");
  if (item.value("is_free_trial", false) && status != "ended" && status != "abandoned") {
    text += ", trial ends " + TimeAt(item["trial_end"]);
  } else if (status == "canceled") {
    text += ", ends " + TimeAt(item["period_end"]);
  } else if (status == "active" || status == "past_due" || status == "upcoming") {
    if (const std::string end = TimeAt(item["period_end"]); !end.empty()) {
      text += (status == "upcoming" ? ", starts " : ", renews ") +
              (status == "upcoming" ? TimeAt(item["period_start"]) : end);
    }
  }
  return text;
}

std::string AttemptSummary(const json& attempt) {
  std::string text = Text(attempt, "charge_type") + " " + Text(attempt, "status") + " " +
                     Text(attempt["amount"], "amount_formatted");
  const json& credit = attempt["proration_credit"];
  if (credit.is_object() && credit.value("amount", 0) > 0) {
    text += " after a " + Text(credit, "amount_formatted") + " proration credit";
  }
  if (const json& failed = attempt["failed_reason"]; failed.is_object()) {
    text += ": " + Text(failed, "message");
  }
  return text;
}

}  // namespace

std::string FormatSimulatedTime(Instant at) {
  if (at.time_since_epoch() % std::chrono::minutes(1) == std::chrono::milliseconds(0)) {
    return date::format("%F %R", std::chrono::time_point_cast<std::chrono::minutes>(at));
  }
  return date::format("%F %T", std::chrono::time_point_cast<std::chrono::seconds>(at));
}

std::string SummarizeEvent(std::string_view type, const json& envelope) {
  if (!envelope.is_object() || !envelope.contains("data")) return "";
  const json& data = envelope["data"];
  try {
    if (type.starts_with("subscriptionItem.")) return ItemSummary(data);
    if (type.starts_with("paymentAttempt.")) return AttemptSummary(data);
    if (type.starts_with("subscription.")) return "subscription " + Text(data, "status");
  } catch (const json::exception&) {
    // A summary is a convenience; the payload itself is printed with --payloads.
  }
  return "";
}

std::string FormatTimelineText(const TimelineEntry& entry, bool payloads) {
  std::string payer = entry.payer;
  if (payer.size() < 8) payer.resize(8, ' ');
  std::string line = FormatSimulatedTime(entry.at) + "  " + payer + "  ";
  if (!entry.is_event()) {
    line += "> " + entry.step;
    if (!entry.outcome.empty()) line += "  (" + entry.outcome + ")";
    return line;
  }
  std::string type = entry.event_type;
  if (type.size() < 34) type.resize(34, ' ');
  line += "   " + type + " " + entry.summary;
  if (entry.delivery) {
    const DeliveryReport& delivery = *entry.delivery;
    line += "  -> " +
            (delivery.http_status ? std::to_string(*delivery.http_status) : delivery.error) +
            " in " + std::to_string(delivery.latency_ms) + " ms";
  }
  if (payloads) {
    const std::string pretty = json::parse(entry.body, nullptr, false).dump(2);
    std::string indented;
    std::size_t start = 0;
    while (start < pretty.size()) {
      const std::size_t end = pretty.find('\n', start);
      indented += "\n      " + pretty.substr(start, end - start);
      if (end == std::string::npos) break;
      start = end + 1;
    }
    line += indented;
  }
  return line;
}

std::string FormatTimelineJson(const TimelineEntry& entry, bool payloads) {
  json out = {{"time", FormatRfc3339(entry.at)},
              {"at", ToUnixMillis(entry.at)},
              {"payer", entry.payer.empty() ? json(nullptr) : json(entry.payer)}};
  if (!entry.is_event()) {
    out["step"] = entry.step;
    out["line"] = entry.line;
    if (!entry.outcome.empty()) out["outcome"] = entry.outcome;
    return out.dump();
  }
  out["event"] = entry.event_type;
  out["id"] = entry.event_id;
  out["summary"] = entry.summary;
  if (payloads) out["payload"] = json::parse(entry.body, nullptr, false);
  if (entry.delivery) {
    const DeliveryReport& delivery = *entry.delivery;
    out["delivery"] = {
        {"status", delivery.http_status ? json(*delivery.http_status) : json(nullptr)},
        {"error", delivery.error.empty() ? json(nullptr) : json(delivery.error)},
        {"latency_ms", delivery.latency_ms}};
  }
  return out.dump();
}

}  // namespace recur
