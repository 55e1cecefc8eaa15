#include "domain/webhooks/signing.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "base/ids.h"
#include "base/sha256.h"

namespace recur {
namespace {

constexpr std::size_t kNewSecretBytes = 32;

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "fatal: %s\n", what);
  std::abort();
}

std::string Base64Encode(const unsigned char* data, std::size_t size) {
  // EVP_EncodeBlock writes 4 characters per started group of 3 bytes, padded, then a NUL.
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  if (written < 0) Fatal("base64 encoding failed");
  out.resize(static_cast<std::size_t>(written));
  return out;
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Strict standard base64 with optional padding. EVP_DecodeBlock alone is too lenient (it skips
// surrounding whitespace, takes '=' anywhere) and counts padding as zero bytes, so the text is
// checked here, completed with its padding, and the padding bytes are dropped after decoding.
std::optional<std::string> Base64Decode(std::string_view text) {
  std::size_t data_chars = 0;
  while (data_chars < text.size() && IsBase64Char(text[data_chars])) ++data_chars;
  const std::size_t padding_given = text.size() - data_chars;
  if (text.find_first_not_of('=', data_chars) != std::string_view::npos) return std::nullopt;
  if (data_chars % 4 == 1) return std::nullopt;  // no byte boundary falls there
  const std::size_t padding_needed = (4 - data_chars % 4) % 4;
  if (padding_given != 0 && padding_given != padding_needed) return std::nullopt;

  std::string padded(text.substr(0, data_chars));
  padded.append(padding_needed, '=');
  std::string out(padded.size() / 4 * 3, '\0');
  const int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(padded.data()),
                                      static_cast<int>(padded.size()));
  if (decoded < 0 || static_cast<std::size_t>(decoded) != out.size()) return std::nullopt;
  out.resize(out.size() - padding_needed);
  return out;
}

struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// The base64 signature, without the "v1," version.
std::string SignatureText(const WebhookSecret& secret, std::string_view msg_id,
                          std::int64_t timestamp_seconds, std::string_view body) {
  const std::string timestamp = std::to_string(timestamp_seconds);
  const std::string digest = HmacSha256(secret.key, {msg_id, ".", timestamp, ".", body});
  return Base64Encode(reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
}

std::unexpected<Error> InvalidSecret(std::string message) {
  return MakeError(ErrorKind::kInvalidArgument, "invalid_webhook_secret", std::move(message),
                   "secret");
}

std::unexpected<Error> InvalidSignature(std::string message) {
  return MakeError(ErrorKind::kUnauthenticated, "invalid_signature", std::move(message),
                   "webhook-signature");
}

}  // namespace

// Fed to OpenSSL piece by piece (bodies can be large).
std::string HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts) {
  static const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) Fatal("HMAC is unavailable");
  std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) Fatal("out of memory for HMAC");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  // A non-null key pointer even for an empty key: a null one means "keep the previous key".
  static const unsigned char kNoKey = 0;
  const auto* key_bytes =
      key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(ctx.get(), key_bytes, key.size(), params) != 1) Fatal("HMAC-SHA256 failed");
  for (std::string_view part : parts) {
    if (EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(part.data()),
                       part.size()) != 1) {
      Fatal("HMAC-SHA256 failed");
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::size_t size = 0;
  if (EVP_MAC_final(ctx.get(), digest, &size, sizeof digest) != 1) Fatal("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(digest), size);
}

Result<WebhookSecret> DecodeWebhookSecret(std::string_view text) {
  if (text.empty()) return InvalidSecret("the webhook secret is empty");
  if (!text.starts_with(kWebhookSecretPrefix)) {
    return InvalidSecret("a webhook secret starts with \"whsec_\"");
  }
  const std::string_view encoded = text.substr(kWebhookSecretPrefix.size());
  if (encoded.empty()) return InvalidSecret("the webhook secret has no key after \"whsec_\"");
  std::optional<std::string> key = Base64Decode(encoded);
  if (!key) return InvalidSecret("the webhook secret is not base64 after \"whsec_\"");
  if (key->empty()) return InvalidSecret("the webhook secret has an empty key");
  return WebhookSecret{std::move(*key)};
}

std::string NewWebhookSecretText() {
  unsigned char key[kNewSecretBytes];
  FillRandomBytes(key, sizeof key);
  std::string text(kWebhookSecretPrefix);
  text += Base64Encode(key, sizeof key);
  OPENSSL_cleanse(key, sizeof key);
  return text;
}

std::string SignWebhook(const WebhookSecret& secret, std::string_view msg_id,
                        std::int64_t timestamp_seconds, std::string_view body) {
  return "v1," + SignatureText(secret, msg_id, timestamp_seconds, body);
}

std::string WebhookSignatureHeader(std::span<const WebhookSecret> secrets, std::string_view msg_id,
                                   std::int64_t timestamp_seconds, std::string_view body) {
  std::string header;
  for (const WebhookSecret& secret : secrets) {
    if (!header.empty()) header.push_back(' ');
    header += SignWebhook(secret, msg_id, timestamp_seconds, body);
  }
  return header;
}

Status VerifyWebhook(const WebhookSecret& secret, std::string_view msg_id,
                     std::string_view timestamp_header, std::string_view signature_header,
                     std::string_view body, std::int64_t now_seconds,
                     std::chrono::seconds tolerance) {
  std::int64_t timestamp = 0;
  const char* const begin = timestamp_header.data();
  const char* const end = begin + timestamp_header.size();
  auto [parsed_end, parse_error] = std::from_chars(begin, end, timestamp);
  if (timestamp_header.empty() || timestamp_header.front() == '-' || parse_error != std::errc() ||
      parsed_end != end) {
    return MakeError(ErrorKind::kUnauthenticated, "invalid_signature",
                     "webhook-timestamp must be whole Unix seconds, got \"" +
                         std::string(timestamp_header) + "\"",
                     "webhook-timestamp");
  }
  // |timestamp - now| without overflow: the difference of the larger minus the smaller always
  // fits in 64 unsigned bits.
  const std::uint64_t skew =
      timestamp >= now_seconds
          ? static_cast<std::uint64_t>(timestamp) - static_cast<std::uint64_t>(now_seconds)
          : static_cast<std::uint64_t>(now_seconds) - static_cast<std::uint64_t>(timestamp);
  const std::uint64_t allowed =
      tolerance.count() < 0 ? 0 : static_cast<std::uint64_t>(tolerance.count());
  if (skew > allowed) {
    return MakeError(ErrorKind::kUnauthenticated, "timestamp_out_of_tolerance",
                     "webhook-timestamp " + std::to_string(timestamp) + " is " +
                         std::to_string(skew) + " s " +
                         (timestamp < now_seconds ? "in the past" : "in the future") +
                         ", more than the " + std::to_string(allowed) + " s allowed",
                     "webhook-timestamp");
  }

  const std::string expected = SignatureText(secret, msg_id, timestamp, body);
  bool matched = false;
  std::string_view rest = signature_header;
  while (!rest.empty()) {
    const std::size_t space = rest.find(' ');
    const std::string_view entry = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    const std::size_t comma = entry.find(',');
    if (comma == std::string_view::npos || entry.substr(0, comma) != "v1") continue;
    const std::string_view signature = entry.substr(comma + 1);
    // Every entry is compared (no early exit), each in constant time.
    if (ConstantTimeEquals(signature, expected)) matched = true;
  }
  if (!matched) return InvalidSignature("no v1 signature of the webhook-signature header matches");
  return Ok();
}

}  // namespace recur
