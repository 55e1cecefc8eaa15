// The HTTP side of the Stripe gateway: one request to Stripe's API, form-encoded as Stripe reads
// it, with the secret key as a Bearer token, the pinned Stripe-Version, a User-Agent naming Recur
// and its version, and the Idempotency-Key when given. Requests that may be sent again (GETs, and
// POSTs that carry an Idempotency-Key) are retried on a network error, 429 and 5xx, after a
// backoff that doubles from `first_backoff` up to `max_backoff`, each spread by jitter, unless
// Stripe answers `Stripe-Should-Retry: false`; the sleeping is injected so tests do not wait.
// What stays unanswered after the last try is Error{kUnavailable, "stripe_unavailable"}: nothing
// is known to have happened, and the same request may be sent again. Any other answer, an error
// included, is returned as Stripe gave it.
//
// Thread-safe: each request has a connection of its own. The key is never logged nor put in an
// error message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/jitter.h"

namespace recur {

// The API version every request names, so Stripe answers in the shape this code reads whatever
// the account's default version is.
inline constexpr std::string_view kStripeApiVersion = "2024-06-20";

struct StripeClientOptions {
  std::string secret_key;                           // sk_test_..., sk_live_... or rk_...
  std::string api_base = "https://api.stripe.com";  // scheme, host and optional port
  int retries = 3;                                  // tries after the first
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{8000};
  std::chrono::seconds timeout{30};  // to connect, and for each read and write
  // How the client waits between tries; none: the calling thread sleeps.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::optional<std::uint64_t> jitter_seed;  // none: random
};

// Form fields in the order they are sent: the same request always encodes to the same body,
// which Stripe's idempotency compares.
using StripeForm = std::vector<std::pair<std::string, std::string>>;

struct StripeAnswer {
  int status = 0;
  nlohmann::json body;    // Stripe's object, or {"error": {...}}
  bool replayed = false;  // Idempotent-Replayed: true
};

// "a=1&metadata%5Bk%5D=v": application/x-www-form-urlencoded.
std::string EncodeStripeForm(const StripeForm& form);

class StripeClient {
 public:
  explicit StripeClient(StripeClientOptions options);

  // GET `path` with `query`, or POST `path` with `form` (with `idempotency_key` when not empty).
  Result<StripeAnswer> Get(const std::string& path, const StripeForm& query);
  Result<StripeAnswer> Post(const std::string& path, const StripeForm& form,
                            const std::string& idempotency_key);

 private:
  Result<StripeAnswer> Send(bool post, const std::string& path, const StripeForm& form,
                            const std::string& idempotency_key);

  StripeClientOptions options_;
  std::string user_agent_;
  Jitter jitter_;
};

}  // namespace recur
