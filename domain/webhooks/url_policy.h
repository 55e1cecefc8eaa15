// SSRF policy for webhook endpoint URLs: which URLs may be registered and which addresses a
// delivery may connect to.
//
// The contract:
// - ParseWebhookUrl accepts only absolute http/https URLs with a host and no credentials, no
//   fragment, no spaces, control, backslash or non-ASCII bytes, at most 2048 bytes. The scheme
//   and host name come back lowercased; an IPv6 literal comes back without its brackets in
//   canonical text (inet_ntop). Numeric-looking hosts that are not a strict dotted quad
//   ("127.1", "0x7f.0.0.1", "2130706433") are refused: resolvers read them as IPv4 addresses.
// - Nothing here resolves names. The caller resolves the host (or parses a literal with
//   ParseIpAddress), then calls CheckAddressAllowed on every address it would connect to, and
//   connects to exactly the address it checked (never resolving again: DNS rebinding).
// - CheckAddressAllowed refuses every range of IANA's IPv4 and IPv6 special-purpose address
//   registries (loopback, private, link-local, cloud metadata, CGNAT, benchmarking, AS112,
//   Teredo, SRv6...), multicast, broadcast, reserved and documentation ranges, and IPv6 outside
//   the global unicast range 2000::/3; IPv6 forms that carry an IPv4 address (IPv4-mapped,
//   IPv4-compatible, NAT64, 6to4) are judged by that IPv4 address.
//   An operator allow-list (CIDRs) lifts the refusal: an address passes when an entry contains
//   it or, for the IPv6 forms above, the IPv4 address it carries.
// - Errors are values (base/error.h), all kInvalidArgument: "invalid_url", "invalid_cidr",
//   "invalid_ip_address", "address_not_allowed". Nothing throws.
#pragma once

#include <sys/socket.h>

#include <array>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace recur {

inline constexpr std::size_t kMaxWebhookUrlLength = 2048;

struct WebhookUrl {
  std::string scheme;            // "http" or "https"
  std::string host;              // lowercased name, IPv4 literal, or IPv6 literal without brackets
  int port = 0;                  // explicit, or 80 for http and 443 for https
  std::string path;              // path and query, starting with '/'; "/" when the URL has none
  bool host_is_literal = false;  // host is an IPv4 or IPv6 address, not a name
};

// Parses and validates an endpoint URL; failures are code "invalid_url" with param "url".
Result<WebhookUrl> ParseWebhookUrl(std::string_view url);

// An IP address. IPv4 uses bytes[0..3] (network order) and leaves the rest zero; IPv6 uses all
// 16 bytes. An IPv4-mapped IPv6 address stays IPv6 (is_v4 false).
struct IpAddress {
  bool is_v4 = false;
  std::array<unsigned char, 16> bytes{};

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Parses "10.0.0.1" or "::1" (strict inet_pton forms, no zone index); code "invalid_ip_address".
Result<IpAddress> ParseIpAddress(std::string_view text);

// Converts a resolver result (sockaddr_in or sockaddr_in6, as getaddrinfo returns); other
// families or a too-short length are code "invalid_ip_address".
Result<IpAddress> IpAddressFromSockaddr(const sockaddr* address, socklen_t length);

// Canonical text: "10.0.0.1", "::1", "::ffff:127.0.0.1".
std::string FormatIpAddress(const IpAddress& address);

// An allow-list entry: "127.0.0.0/8", "::1/128". The prefix is required (0..32 for IPv4,
// 0..128 for IPv6); host bits beyond it are accepted and cleared. Errors: code "invalid_cidr".
struct Cidr {
  std::array<unsigned char, 16> address{};  // as IpAddress::bytes, host bits zero
  int prefix_length = 0;
  bool is_v4 = false;

  friend bool operator==(const Cidr&, const Cidr&) = default;
};

Result<Cidr> ParseCidr(std::string_view text);

// "10.1.0.0/16".
std::string FormatCidr(const Cidr& cidr);

// True when `address` is of the same family as `cidr` and inside it.
bool CidrContains(const Cidr& cidr, const IpAddress& address);

// What a refusal calls an entry of the allow-list by default: "...; allow it with the webhook
// address allow-list entry 127.0.0.0/8". A program whose operator writes entries some other way
// (recur serve: a command-line flag) passes its own name for them.
inline constexpr std::string_view kAllowListEntryName = "the webhook address allow-list entry";

// Ok when a delivery may connect to `address`; otherwise code "address_not_allowed" with a
// message naming the address class and the allow-list entry that would permit it, introduced by
// `allow_entry_name`.
Status CheckAddressAllowed(const IpAddress& address, std::span<const Cidr> allow,
                           std::string_view allow_entry_name = kAllowListEntryName);

// The same for an address in text; unparsable text is code "invalid_ip_address".
Status CheckAddressAllowed(std::string_view address, std::span<const Cidr> allow,
                           std::string_view allow_entry_name = kAllowListEntryName);

}  // namespace recur
