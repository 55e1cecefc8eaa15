// Signature headers of received webhooks, as `recur webhooks listen` checks them: the input is
// a delivery written as header lines ("name: value"), an empty line, then the body. A header
// "secret" (not sent by real senders) replaces the receiver's secret. Besides crashes, findings
// are a refusal that cannot be answered as JSON, and a delivery signed correctly for its own id,
// timestamp and body that does not verify.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "domain/webhooks/received_delivery.h"
#include "domain/webhooks/signing.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace recur;

constexpr std::int64_t kNow = 1614265330;
constexpr std::chrono::seconds kTolerance{300};

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

struct Delivery {
  std::map<std::string, std::string, std::less<>> headers;  // lowercased names; the first wins
  std::string_view body;
};

Delivery ReadDelivery(std::string_view text) {
  Delivery delivery;
  while (!text.empty()) {
    const std::string_view line = fuzz::TakeUntil(text, "\n");
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    delivery.headers.emplace(Lowercase(line.substr(0, colon)), std::string(value));
  }
  delivery.body = text;
  return delivery;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Delivery delivery = ReadDelivery(fuzz::AsText(data, size));
  HeaderLookup lookup = [&delivery](std::string_view name) -> std::optional<std::string> {
    auto found = delivery.headers.find(Lowercase(name));
    if (found == delivery.headers.end()) return std::nullopt;
    return found->second;
  };
  auto secret = DecodeWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  if (auto given = lookup("secret")) secret = DecodeWebhookSecret(*given);
  if (!secret) {
    (void)DeliveryRefusalJson(secret.error());
    return 0;
  }
  const DeliveryHeaders headers = ReadDeliveryHeaders(lookup);
  (void)PrintableWord(headers.id.value_or(""));
  (void)DeliveryEventType(delivery.body);
  const Status verified = VerifyDelivery(*secret, headers, delivery.body, kNow, kTolerance);
  if (!verified) (void)DeliveryRefusalJson(verified.error());

  // The same delivery signed as a sender signs it must verify when its timestamp is in range.
  if (headers.id && headers.timestamp) {
    const std::string& timestamp = *headers.timestamp;
    const bool decimal = !timestamp.empty() && timestamp.size() < 19 &&
                         timestamp.find_first_not_of("0123456789") == std::string::npos;
    if (decimal) {
      const std::int64_t seconds = std::stoll(timestamp);
      const std::string signature = SignWebhook(*secret, *headers.id, seconds, delivery.body);
      const Status resigned = VerifyDelivery(*secret, {headers.id, headers.timestamp, signature},
                                             delivery.body, seconds, kTolerance);
      if (!resigned) {
        fuzz::Finding("a correctly signed delivery is refused: " + resigned.error().message);
      }
    }
  }
  return 0;
}
