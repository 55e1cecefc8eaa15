#include "domain/webhooks/delivery_request.h"

#include "base/host_port.h"

namespace recur {
namespace {

// "example.com", or "example.com:8443" when the port is not the scheme's; IPv6 in brackets.
std::string HostHeader(const WebhookUrl& url) {
  if (url.port != (url.scheme == "https" ? 443 : 80)) return HostPort(url.host, url.port);
  return url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
}

}  // namespace

httplib::Request DeliveryRequest(const WebhookUrl& url, std::string_view msg_id,
                                 Instant attempted_at, std::span<const WebhookSecret> secrets,
                                 std::string body) {
  const std::int64_t timestamp = ToUnixMillis(attempted_at) / 1000;
  const std::string timestamp_text = std::to_string(timestamp);
  const std::string signature = WebhookSignatureHeader(secrets, msg_id, timestamp, body);
  const std::string id(msg_id);
  httplib::Request request;
  request.method = "POST";
  request.path = url.path;
  request.headers = {{"Host", HostHeader(url)},
                     {"webhook-id", id},
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
