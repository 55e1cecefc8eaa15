#include "domain/webhooks/delivery_request.h"

#include <gtest/gtest.h>

namespace recur::delivery_request_test {
namespace {

// 2026-01-01T00:00:00Z.
const Instant kAttemptedAt = FromUnixMillis(1'767'225'600'000);

std::string HostHeaderOf(std::string_view url) {
  const WebhookUrl parsed = ParseWebhookUrl(url).value();
  const WebhookSecret secret = DecodeWebhookSecret(NewWebhookSecretText()).value();
  const httplib::Request request =
      DeliveryRequest(parsed, "msg_1", kAttemptedAt, std::span(&secret, 1), "{}");
  EXPECT_EQ(request.get_header_value_count("Host"), 1u) << url;
  return request.get_header_value("Host");
}

TEST(DeliveryRequestTest, TheHostHeaderIsTheUrlsHostWithItsPortWhenNotTheSchemes) {
  EXPECT_EQ(HostHeaderOf("https://hooks.example.com/in"), "hooks.example.com");
  EXPECT_EQ(HostHeaderOf("http://hooks.example.com/in"), "hooks.example.com");
  EXPECT_EQ(HostHeaderOf("https://hooks.example.com:8443/in"), "hooks.example.com:8443");
  EXPECT_EQ(HostHeaderOf("http://hooks.example.com:443/in"), "hooks.example.com:443");
  EXPECT_EQ(HostHeaderOf("https://Hooks.Example.COM/in"), "hooks.example.com");
  EXPECT_EQ(HostHeaderOf("http://203.0.113.9:8080/in"), "203.0.113.9:8080");
}

TEST(DeliveryRequestTest, AnIpv6HostIsBracketedInTheHostHeader) {
  EXPECT_EQ(HostHeaderOf("https://[2001:DB8::1]/in"), "[2001:db8::1]");
  EXPECT_EQ(HostHeaderOf("http://[2001:db8::1]:8080/in"), "[2001:db8::1]:8080");
}

TEST(DeliveryRequestTest, ThePathAndQueryAreTheUrls) {
  const WebhookUrl url = ParseWebhookUrl("https://hooks.example.com/in?team=7").value();
  const WebhookSecret secret = DecodeWebhookSecret(NewWebhookSecretText()).value();
  EXPECT_EQ(DeliveryRequest(url, "msg_1", kAttemptedAt, std::span(&secret, 1), "{}").path,
            "/in?team=7");
}

}  // namespace
}  // namespace recur::delivery_request_test
