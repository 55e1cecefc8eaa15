// The limits per client address of the API's server (docs/operating.md, "Abuse limits"), both
// applied from a request's head, before its body is read or the database is asked anything:
//  - failed authentications: an address that failed the secret key check `failed_auth.count`
//    times (a budget refilled at that rate, rate_limiter.h) has its requests to routes that
//    need the key refused with 429 rate_limited and Retry-After, before its key is checked, so
//    that a client guessing keys is stopped and costs the server next to nothing;
//  - public requests: requests to routes that need no key, `public_requests` per address.
// The address is the client's (HttpRequest::remote_addr); an IPv6 address counts by its /64,
// which one host commonly holds whole (AddressKey). Each limit keeps at most `max_addresses`
// addresses, forgetting the least recently seen first, in this process's memory; the time is
// the injected clock's.
// Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/error.h"
#include "base/rate.h"
#include "base/rate_limiter.h"

namespace recur {

struct ClientLimitOptions {
  std::optional<Rate> failed_auth;      // per address; none: no limit
  std::optional<Rate> public_requests;  // per address; none: no limit
  std::size_t max_addresses = 100'000;  // per limit; at most about 200 bytes each
};

class ClientLimits {
 public:
  ClientLimits(ClientLimitOptions options, const Clock& clock);

  // The refusal of a request from `address` to a route that needs the key when the address has
  // used up its failed authentications; none otherwise. Spends nothing.
  std::optional<Error> RefuseBeforeKeyCheck(std::string_view address);
  // Counts a failed key check from `address`.
  void KeyCheckFailed(std::string_view address);
  // Spends one public request of `address`; the refusal when there is none left.
  std::optional<Error> RefusePublicRequest(std::string_view address);

 private:
  const Clock& clock_;
  std::unique_ptr<RateLimiter> failed_auth_;      // none: no limit
  std::unique_ptr<RateLimiter> public_requests_;  // none: no limit
};

// The key an address is limited by: an IPv4 address (also written IPv4-mapped, ::ffff:a.b.c.d)
// as itself, an IPv6 address as its /64 ("2001:db8:1:2::/64"); anything else as it is.
std::string AddressKey(std::string_view address);

}  // namespace recur
