// The webhook URL policy (domain/webhooks/url_policy.h): URL parsing and the address check,
// composed as the endpoint check composes them, with a resolver that answers from the input.
// Input: the URL on the first line; allow-list entries (CIDRs, space-separated) on the second;
// the rest answers for the host: per address one byte (even: IPv4, odd: IPv6) and then its 4 or
// 16 bytes, handed over as getaddrinfo would (a sockaddr). No name is ever really resolved.
// Findings besides crashes: a parsed URL that breaks the contract (scheme, port, path, literal
// hosts in canonical text), an address or CIDR whose text does not read back to itself, the
// text and binary checks disagreeing, and a loopback, private or link-local address allowed
// with an empty allow-list.
#include <netinet/in.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "domain/webhooks/url_policy.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace recur;

// The addresses the input answers for a name, through the sockaddr conversion a real answer
// takes.
std::vector<IpAddress> Resolve(std::string_view answer) {
  std::vector<IpAddress> addresses;
  while (!answer.empty()) {
    const bool v6 = (static_cast<unsigned char>(answer.front()) & 1) != 0;
    answer.remove_prefix(1);
    const std::size_t length = v6 ? 16 : 4;
    if (answer.size() < length) break;
    sockaddr_storage storage{};
    socklen_t storage_length = 0;
    if (v6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
      in6->sin6_family = AF_INET6;
      std::memcpy(&in6->sin6_addr, answer.data(), length);
      storage_length = sizeof(sockaddr_in6);
    } else {
      auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
      in4->sin_family = AF_INET;
      std::memcpy(&in4->sin_addr, answer.data(), length);
      storage_length = sizeof(sockaddr_in);
    }
    answer.remove_prefix(length);
    auto address = IpAddressFromSockaddr(reinterpret_cast<sockaddr*>(&storage), storage_length);
    if (!address) fuzz::Finding("a resolver's answer is refused: " + address.error().message);
    addresses.push_back(*address);
  }
  return addresses;
}

std::vector<Cidr> AllowList(std::string_view line) {
  std::vector<Cidr> allow;
  while (!line.empty()) {
    const std::string_view entry = fuzz::TakeUntil(line, " ");
    auto cidr = ParseCidr(entry);
    if (!cidr) continue;
    auto again = ParseCidr(FormatCidr(*cidr));
    if (!again || !(*again == *cidr))
      fuzz::Finding("CIDR " + FormatCidr(*cidr) + " reads back otherwise");
    allow.push_back(*cidr);
  }
  return allow;
}

void CheckParsedUrl(const WebhookUrl& url) {
  if (url.scheme != "http" && url.scheme != "https") fuzz::Finding("scheme " + url.scheme);
  if (url.port < 1 || url.port > 65535) fuzz::Finding("port " + std::to_string(url.port));
  if (url.path.empty() || url.path.front() != '/') fuzz::Finding("path " + url.path);
  if (url.host.empty()) fuzz::Finding("an empty host");
  if (url.host_is_literal) {
    auto address = ParseIpAddress(url.host);
    if (!address) fuzz::Finding("literal host " + url.host + " does not parse");
    if (FormatIpAddress(*address) != url.host)
      fuzz::Finding("literal host " + url.host + " is not canonical");
  }
}

// Loopback, private and link-local ranges, judged apart from the policy's own tables.
bool PlainlyInternal(const IpAddress& address) {
  const auto& b = address.bytes;
  if (address.is_v4) {
    return b[0] == 127 || b[0] == 10 || (b[0] == 169 && b[1] == 254) ||
           (b[0] == 192 && b[1] == 168) || (b[0] == 172 && (b[1] & 0xf0) == 16) || b[0] == 0;
  }
  const bool loopback =
      std::all_of(b.begin(), b.begin() + 15, [](unsigned char x) { return x == 0; }) && b[15] == 1;
  const bool link_local = b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
  const bool unique_local = (b[0] & 0xfe) == 0xfc;
  return loopback || link_local || unique_local;
}

void CheckAddress(const IpAddress& address, std::span<const Cidr> allow) {
  const std::string text = FormatIpAddress(address);
  auto parsed = ParseIpAddress(text);
  if (!parsed || !(*parsed == address)) fuzz::Finding("address " + text + " reads back otherwise");
  const Status allowed = CheckAddressAllowed(address, allow);
  if (allowed.has_value() != CheckAddressAllowed(text, allow).has_value()) {
    fuzz::Finding("address " + text + " is judged otherwise as text");
  }
  if (allowed && allow.empty() && PlainlyInternal(address)) {
    fuzz::Finding("address " + text + " is allowed by an empty allow-list");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::AsText(data, size);
  const std::string_view url_text = fuzz::TakeUntil(input, "\n");
  const std::vector<Cidr> allow = AllowList(fuzz::TakeUntil(input, "\n"));
  auto url = ParseWebhookUrl(url_text);
  if (!url) return 0;
  CheckParsedUrl(*url);
  std::vector<IpAddress> addresses;
  if (url->host_is_literal) {
    addresses.push_back(ParseIpAddress(url->host).value());
  } else {
    addresses = Resolve(input);
  }
  for (const IpAddress& address : addresses) CheckAddress(address, allow);
  return 0;
}
