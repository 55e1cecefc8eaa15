#include "domain/webhooks/delivery_request.h"

namespace recur {

httplib::Request DeliveryRequest(std::string path, std::string_view msg_id, Instant attempted_at,
                                 std::span<const WebhookSecret> secrets, std::string body) {
  const std::int64_t timestamp = ToUnixMillis(attempted_at) / 1000;
  const std::string timestamp_text = std::to_string(timestamp);
  const std::string signature = WebhookSignatureHeader(secrets, msg_id, timestamp, body);
  const std::string id(msg_id);
  httplib::Request request;
  request.method = "POST";
  request.path = std::move(path);
  request.headers = {{"webhook-id", id},
                     {"webhook-timestamp", timestamp_text},
                     {"webhook-signature", signature},
                     {"svix-id", id},
                     {"svix-timestamp", timestamp_text},
                     {"svix-signature", signature},
                     {"Content-Type", "application/json"},
                     {"User-Agent", "recur-webhooks/1"}};
  request.body = std::move(body);
  return request;
}

}  // namespace recur
