#include "domain/webhooks/received_delivery.h"

#include <utility>

#include <nlohmann/json.hpp>

namespace recur {
namespace {

// A header under its Standard Webhooks name or else its Svix name.
std::optional<std::string> EitherHeader(const HeaderLookup& header, std::string_view standard,
                                        std::string_view svix) {
  if (auto value = header(standard)) return value;
  return header(svix);
}

}  // namespace

DeliveryHeaders ReadDeliveryHeaders(const HeaderLookup& header) {
  return {EitherHeader(header, "webhook-id", "svix-id"),
          EitherHeader(header, "webhook-timestamp", "svix-timestamp"),
          EitherHeader(header, "webhook-signature", "svix-signature")};
}

Status VerifyDelivery(const WebhookSecret& secret, const DeliveryHeaders& headers,
                      std::string_view body, std::int64_t now_seconds,
                      std::chrono::seconds tolerance) {
  for (const auto& [name, value] :
       {std::pair{"webhook-id", &headers.id}, std::pair{"webhook-timestamp", &headers.timestamp},
        std::pair{"webhook-signature", &headers.signature}}) {
    if (!value->has_value()) {
      return MakeError(ErrorKind::kUnauthenticated, "missing_header",
                       std::string("the ") + name + " header is missing", name);
    }
  }
  return VerifyWebhook(secret, *headers.id, *headers.timestamp, *headers.signature, body,
                       now_seconds, tolerance);
}

std::string DeliveryRefusalJson(const Error& error) {
  nlohmann::json fields = {{"code", error.code}, {"message", error.message}};
  if (!error.param.empty()) fields["param"] = error.param;
  // A message quotes the header it refuses, which may hold any bytes: each byte that is not
  // UTF-8 is written as U+FFFD, since JSON text cannot carry it.
  return nlohmann::json{{"error", fields}}.dump(-1, ' ', false,
                                                nlohmann::json::error_handler_t::replace);
}

std::string PrintableWord(std::string_view text) {
  if (text.empty()) return "-";
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string DeliveryEventType(std::string_view body) {
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    auto type = parsed.find("type");
    if (type != parsed.end() && type->is_string()) {
      return PrintableWord(type->get<std::string>());
    }
  }
  return "-";
}

}  // namespace recur
