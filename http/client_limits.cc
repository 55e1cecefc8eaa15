#include "http/client_limits.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>

namespace recur {
namespace {

Error TooMany(std::string what, const Rate& rate, std::chrono::milliseconds wait) {
  const auto seconds =
      std::max(std::chrono::ceil<std::chrono::seconds>(wait), std::chrono::seconds(1));
  Error error{ErrorKind::kRateLimited, "rate_limited",
              std::move(what) + ": the limit is " + FormatRate(rate) + " per address; retry in " +
                  std::to_string(seconds.count()) + " s"};
  error.retry_after = seconds;
  return error;
}

std::unique_ptr<RateLimiter> LimiterOf(const std::optional<Rate>& rate, std::size_t max_keys) {
  return rate ? std::make_unique<RateLimiter>(*rate, max_keys) : nullptr;
}

}  // namespace

ClientLimits::ClientLimits(ClientLimitOptions options, const Clock& clock)
    : clock_(clock),
      failed_auth_(LimiterOf(options.failed_auth, options.max_addresses)),
      public_requests_(LimiterOf(options.public_requests, options.max_addresses)) {}

std::optional<Error> ClientLimits::RefuseBeforeKeyCheck(std::string_view address) {
  if (failed_auth_ == nullptr) return std::nullopt;
  auto wait = failed_auth_->WaitFor(AddressKey(address), clock_.Now());
  if (!wait) return std::nullopt;
  return TooMany("too many failed authentications from " + std::string(address),
                 failed_auth_->rate(), *wait);
}

void ClientLimits::KeyCheckFailed(std::string_view address) {
  if (failed_auth_ != nullptr) (void)failed_auth_->Take(AddressKey(address), clock_.Now());
}

std::optional<Error> ClientLimits::RefusePublicRequest(std::string_view address) {
  if (public_requests_ == nullptr) return std::nullopt;
  auto wait = public_requests_->Take(AddressKey(address), clock_.Now());
  if (!wait) return std::nullopt;
  return TooMany("too many requests to public endpoints from " + std::string(address),
                 public_requests_->rate(), *wait);
}

std::string AddressKey(std::string_view address) {
  if (address.find(':') == std::string_view::npos) return std::string(address);
  const std::string text(address);
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return text;
  constexpr std::array<unsigned char, 12> kMappedPrefix = {0, 0, 0, 0, 0,    0,
                                                           0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0) {
    char v4[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, bytes.data() + 12, v4, sizeof v4);
    return v4;
  }
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  char v6[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, bytes.data(), v6, sizeof v6);
  return std::string(v6) + "/64";
}

}  // namespace recur
