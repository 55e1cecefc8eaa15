#include "http/client_address.h"

#include <strings.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <vector>

namespace recur {
namespace {

// ::ffff:a.b.c.d as a.b.c.d; any other address as it is.
IpAddress Unmapped(IpAddress address) {
  constexpr std::array<unsigned char, 12> kMappedPrefix = {0, 0, 0, 0, 0,    0,
                                                           0, 0, 0, 0, 0xff, 0xff};
  if (address.is_v4 ||
      !std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), address.bytes.begin())) {
    return address;
  }
  IpAddress v4;
  v4.is_v4 = true;
  std::copy(address.bytes.begin() + 12, address.bytes.end(), v4.bytes.begin());
  return v4;
}

bool IsTrusted(const IpAddress& address, std::span<const Cidr> trusted_proxies) {
  return std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                     [&](const Cidr& range) { return CidrContains(range, address); });
}

bool IsPort(std::string_view text) {
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view Trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// One entry of the list: "192.0.2.1", "192.0.2.1:4711", "2001:db8::1", "[2001:db8::1]",
// "[2001:db8::1]:4711". None when it is anything else.
std::optional<IpAddress> ParseEntry(std::string_view entry) {
  if (entry.starts_with('[')) {
    const std::size_t close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view after = entry.substr(close + 1);
    if (!after.empty() && !(after.front() == ':' && IsPort(after.substr(1)))) return std::nullopt;
    auto address = ParseIpAddress(entry.substr(1, close - 1));
    if (!address || address->is_v4) return std::nullopt;
    return Unmapped(*address);
  }
  // One colon: an IPv4 address and a port; more: an IPv6 address without brackets.
  if (const std::size_t colon = entry.find(':');
      colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos) {
    if (!IsPort(entry.substr(colon + 1))) return std::nullopt;
    auto address = ParseIpAddress(entry.substr(0, colon));
    if (!address || !address->is_v4) return std::nullopt;
    return *address;
  }
  auto address = ParseIpAddress(entry);
  if (!address) return std::nullopt;
  return Unmapped(*address);
}

// The entries of every X-Forwarded-For header, in order, empty ones left out.
std::vector<std::string_view> ForwardedFor(const HttpHeaders& headers) {
  std::vector<std::string_view> entries;
  const auto [first, last] = headers.equal_range("X-Forwarded-For");
  for (auto it = first; it != last; ++it) {
    std::string_view rest = it->second;
    while (true) {
      const std::size_t comma = rest.find(',');
      if (std::string_view entry = Trimmed(rest.substr(0, comma)); !entry.empty()) {
        entries.push_back(entry);
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return entries;
}

}  // namespace

Result<Cidr> ParseTrustedProxy(std::string_view text) {
  if (text.find('/') != std::string_view::npos) return ParseCidr(text);
  auto address = ParseIpAddress(text);
  if (!address) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_cidr",
                     "\"" + std::string(text) +
                         "\" is neither an IP address such as 127.0.0.1 nor a range such as "
                         "10.0.0.0/8",
                     "cidr");
  }
  return ParseCidr(FormatIpAddress(*address) + (address->is_v4 ? "/32" : "/128"));
}

std::string ClientAddress(std::string_view peer, const HttpHeaders& headers,
                          std::span<const Cidr> trusted_proxies) {
  if (trusted_proxies.empty()) return std::string(peer);
  auto peer_address = ParseIpAddress(peer);
  if (!peer_address || !IsTrusted(Unmapped(*peer_address), trusted_proxies)) {
    return std::string(peer);
  }
  const std::vector<std::string_view> entries = ForwardedFor(headers);
  std::optional<IpAddress> client;
  for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
    std::optional<IpAddress> address = ParseEntry(*entry);
    if (!address) break;
    client = address;
    if (!IsTrusted(*address, trusted_proxies)) break;
  }
  return client ? FormatIpAddress(*client) : std::string(peer);
}

bool CameOverHttps(std::string_view peer, const HttpHeaders& headers,
                   std::span<const Cidr> trusted_proxies) {
  if (trusted_proxies.empty()) return false;
  auto peer_address = ParseIpAddress(peer);
  if (!peer_address || !IsTrusted(Unmapped(*peer_address), trusted_proxies)) return false;
  // The right-most value of the last header: what the proxy in front wrote or appended.
  auto [first, last] = headers.equal_range("X-Forwarded-Proto");
  if (first == last) return false;
  std::string_view value = std::prev(last)->second;
  if (auto comma = value.rfind(','); comma != std::string_view::npos) {
    value.remove_prefix(comma + 1);
  }
  value = Trimmed(value);
  return value.size() == 5 && strncasecmp(value.data(), "https", 5) == 0;
}

}  // namespace recur
