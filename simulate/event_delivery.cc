#include "simulate/event_delivery.h"

#include <httplib.h>

#include "domain/webhooks/delivery_request.h"

namespace recur {

EventDelivery::EventDelivery(WebhookUrl url, WebhookSecret secret, const Clock& clock)
    : url_(std::move(url)),
      secret_(std::move(secret)),
      clock_(&clock),
      connections_(std::make_unique<ConnectionPool>(ConnectionPoolOptions{})) {}

Result<EventDelivery> EventDelivery::Make(std::string_view url, std::string_view secret,
                                          const Clock& clock) {
  auto parsed = ParseWebhookUrl(url);
  if (!parsed) return std::unexpected(parsed.error());
  auto decoded = DecodeWebhookSecret(secret);
  if (!decoded) return std::unexpected(decoded.error());
  return EventDelivery(std::move(*parsed), std::move(*decoded), clock);
}

DeliveryReport EventDelivery::Deliver(const std::string& event_id, const std::string& body) {
  const std::string msg_id = "msg_" + event_id.substr(event_id.find('_') + 1);
  const httplib::Request request =
      DeliveryRequest(url_, msg_id, clock_->Now(), std::span(&secret_, 1), body);
  DeliveryReport report;
  const auto started = std::chrono::steady_clock::now();
  // The developer's own URL: resolved by the system, not pinned (no SSRF policy applies).
  std::unique_ptr<httplib::ClientImpl> client = connections_->Take(url_, std::nullopt);
  httplib::Result result = client->send(request);
  report.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  if (result) {
    report.http_status = result->status;
    connections_->Give(url_, std::nullopt, std::move(client));
  } else {
    report.error = httplib::to_string(result.error());
  }
  return report;
}

}  // namespace recur
