#include "domain/webhooks/url_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <vector>

namespace recur {
namespace {

std::unexpected<Error> UrlError(std::string message) {
  return MakeError(ErrorKind::kInvalidArgument, "invalid_url", std::move(message), "url");
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ToLower(c);
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// inet_pton needs a NUL-terminated string; addresses are short, so a bounded buffer suffices.
std::optional<IpAddress> ParseAddressText(std::string_view text) {
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buffer)) return std::nullopt;
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  IpAddress address;
  if (inet_pton(AF_INET, buffer, address.bytes.data()) == 1) {
    address.is_v4 = true;
    return address;
  }
  if (inet_pton(AF_INET6, buffer, address.bytes.data()) == 1) {
    address.is_v4 = false;
    return address;
  }
  return std::nullopt;
}

// True when the host "ends in a number" (WHATWG URL): its last label is all digits or 0x-hex.
// Resolvers read such hosts as IPv4 addresses in their lenient forms.
bool LooksNumeric(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const std::size_t dot = host.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (AllDigits(last)) return true;
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
    for (char c : last.substr(2)) {
      if (!IsHexDigit(c)) return false;
    }
    return true;
  }
  return false;
}

Status ValidateHostName(std::string_view host) {
  std::string_view name = host;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);  // a fully qualified name
  if (name.empty()) return UrlError("the URL has no host");
  if (name.size() > 253) return UrlError("the host name is longer than 253 characters");
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      const std::size_t label_length = i - label_start;
      if (label_length == 0) {
        return UrlError("the host name \"" + std::string(host) + "\" has an empty label");
      }
      if (label_length > 63) {
        return UrlError("the host name \"" + std::string(host) +
                        "\" has a label longer than 63 characters");
      }
      label_start = i + 1;
      continue;
    }
    const char c = name[i];
    if (!((c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '_')) {
      return UrlError("the host name \"" + std::string(host) + "\" contains '" + std::string(1, c) +
                      "'; only letters, digits, '-', '_' and '.' are allowed (use punycode "
                      "for international names)");
    }
  }
  return Ok();
}

struct Range {
  Cidr cidr;
  std::string description;  // "a loopback address"
  std::string hint;         // the allow-list entry to suggest
};

Range MakeRange(std::string_view text, std::string description) {
  // Only called with the constants below, which parse.
  Cidr cidr = ParseCidr(text).value_or(Cidr{});
  return Range{cidr, std::move(description), std::string(text)};
}

// Most specific first: the first containing range names the class.
const std::vector<Range>& V4Ranges() {
  static const std::vector<Range> ranges = [] {
    std::vector<Range> r;
    r.push_back(MakeRange("169.254.169.254/32",
                          "the cloud metadata address (AWS, GCP, Azure, OCI, DigitalOcean), "
                          "in link-local 169.254.0.0/16"));
    r.push_back(MakeRange("100.100.100.200/32",
                          "the Alibaba Cloud metadata address, in CGNAT 100.64.0.0/10"));
    r.push_back(MakeRange("0.0.0.0/8", "a \"this network\" address"));
    r.push_back(MakeRange("10.0.0.0/8", "a private address"));
    r.push_back(MakeRange("172.16.0.0/12", "a private address"));
    r.push_back(MakeRange("192.168.0.0/16", "a private address"));
    r.push_back(MakeRange("100.64.0.0/10", "a shared (CGNAT) address"));
    r.push_back(MakeRange("127.0.0.0/8", "a loopback address"));
    r.push_back(MakeRange("169.254.0.0/16", "a link-local address"));
    r.push_back(MakeRange("192.0.0.0/24", "a reserved (IETF protocol assignments) address"));
    r.push_back(MakeRange("192.0.2.0/24", "a documentation (TEST-NET-1) address"));
    r.push_back(MakeRange("192.31.196.0/24", "an AS112 DNS sink address"));
    r.push_back(MakeRange("192.52.193.0/24", "an AMT relay anycast address"));
    r.push_back(MakeRange("192.88.99.0/24", "a 6to4 relay anycast address (deprecated)"));
    r.push_back(MakeRange("192.175.48.0/24", "an AS112 DNS sink address (direct delegation)"));
    r.push_back(MakeRange("198.18.0.0/15", "a benchmarking address"));
    r.push_back(MakeRange("198.51.100.0/24", "a documentation (TEST-NET-2) address"));
    r.push_back(MakeRange("203.0.113.0/24", "a documentation (TEST-NET-3) address"));
    r.push_back(MakeRange("224.0.0.0/4", "a multicast address"));
    r.push_back(MakeRange("255.255.255.255/32", "the limited broadcast address"));
    r.push_back(MakeRange("240.0.0.0/4", "a reserved address"));
    return r;
  }();
  return ranges;
}

// IPv6 ranges judged on their own (the forms carrying IPv4 are handled before these).
const std::vector<Range>& V6Ranges() {
  static const std::vector<Range> ranges = [] {
    std::vector<Range> r;
    r.push_back(MakeRange("fd00:ec2::254/128",
                          "the AWS cloud metadata address (IPv6), in unique local fc00::/7"));
    r.push_back(MakeRange("::/128", "the unspecified address"));
    r.push_back(MakeRange("::1/128", "the loopback address"));
    r.push_back(MakeRange("100::/64", "a discard-only address"));
    r.push_back(MakeRange("100:0:0:1::/64", "a dummy-prefix address"));
    r.push_back(MakeRange("2001::/32", "a Teredo address (its IPv4 address is obfuscated)"));
    r.push_back(MakeRange("2001:2::/48", "a benchmarking address"));
    r.push_back(MakeRange("2001::/23", "a reserved (IETF protocol assignments) address"));
    r.push_back(MakeRange("2001:db8::/32", "a documentation address"));
    r.push_back(MakeRange("2620:4f:8000::/48", "an AS112 DNS sink address (direct delegation)"));
    r.push_back(MakeRange("3fff::/20", "a documentation address"));
    r.push_back(MakeRange("5f00::/16", "a segment routing (SRv6) identifier"));
    r.push_back(MakeRange("fc00::/7", "a unique local address"));
    r.push_back(MakeRange("fe80::/10", "a link-local address"));
    r.push_back(MakeRange("fec0::/10", "a site-local address (deprecated)"));
    r.push_back(MakeRange("ff00::/8", "a multicast address"));
    return r;
  }();
  return ranges;
}

const Range* FindRange(const std::vector<Range>& ranges, const IpAddress& address) {
  for (const Range& range : ranges) {
    if (CidrContains(range.cidr, address)) return &range;
  }
  return nullptr;
}

bool AllowListed(const IpAddress& address, std::span<const Cidr> allow) {
  for (const Cidr& cidr : allow) {
    if (CidrContains(cidr, address)) return true;
  }
  return false;
}

IpAddress V4(const unsigned char* bytes) {
  IpAddress address;
  address.is_v4 = true;
  std::memcpy(address.bytes.data(), bytes, 4);
  return address;
}

bool HasPrefix(const IpAddress& address, std::initializer_list<unsigned char> prefix) {
  std::size_t i = 0;
  for (unsigned char b : prefix) {
    if (address.bytes[i++] != b) return false;
  }
  return true;
}

bool AllZero(const IpAddress& address, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (address.bytes[i] != 0) return false;
  }
  return true;
}

// An IPv6 form carrying an IPv4 address: the embedded address and the name of the form.
struct Embedded {
  IpAddress v4;
  std::string_view form;
};

std::optional<Embedded> EmbeddedV4(const IpAddress& a) {
  if (a.is_v4) return std::nullopt;
  // ::ffff:0:0/96, IPv4-mapped.
  if (AllZero(a, 0, 10) && a.bytes[10] == 0xff && a.bytes[11] == 0xff) {
    return Embedded{V4(&a.bytes[12]), "IPv4-mapped"};
  }
  // ::/96, IPv4-compatible (deprecated); :: and ::1 are judged as themselves.
  if (AllZero(a, 0, 12) && !(AllZero(a, 12, 15) && a.bytes[15] <= 1)) {
    return Embedded{V4(&a.bytes[12]), "IPv4-compatible (deprecated)"};
  }
  // 64:ff9b::/96, well-known NAT64 prefix.
  if (HasPrefix(a, {0x00, 0x64, 0xff, 0x9b}) && AllZero(a, 4, 12)) {
    return Embedded{V4(&a.bytes[12]), "NAT64"};
  }
  // 64:ff9b:1::/48, local-use NAT64 (RFC 8215), judged in the /96 layout.
  if (HasPrefix(a, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}) && AllZero(a, 6, 12)) {
    return Embedded{V4(&a.bytes[12]), "local-use NAT64"};
  }
  // 2002::/16, 6to4: the IPv4 address is in bits 16..48.
  if (HasPrefix(a, {0x20, 0x02})) return Embedded{V4(&a.bytes[2]), "6to4"};
  return std::nullopt;
}

std::unexpected<Error> NotAllowed(std::string message) {
  return MakeError(ErrorKind::kInvalidArgument, "address_not_allowed", std::move(message),
                   "address");
}

// "; allow it with <entry name> <the range>".
std::string Suggest(std::string_view allow_entry_name, std::string_view range) {
  return "; allow it with " + std::string(allow_entry_name) + " " + std::string(range);
}

// The steps of ParseWebhookUrl, in the order it takes them: the first problem found is the one
// reported.

// Bytes no accepted URL holds: spaces, control characters, non-ASCII bytes, backslashes; and
// fragments.
Status CheckUrlCharacters(std::string_view url) {
  if (url.empty()) return UrlError("the URL is empty");
  if (url.size() > kMaxWebhookUrlLength) {
    return UrlError("the URL is " + std::to_string(url.size()) + " bytes long; at most " +
                    std::to_string(kMaxWebhookUrlLength) + " are allowed");
  }
  for (std::size_t i = 0; i < url.size(); ++i) {
    const auto c = static_cast<unsigned char>(url[i]);
    if (c == ' ') return UrlError("the URL contains a space at offset " + std::to_string(i));
    if (c < 0x20 || c == 0x7f) {
      return UrlError("the URL contains a control character at offset " + std::to_string(i));
    }
    if (c >= 0x80) {
      return UrlError("the URL contains a non-ASCII byte at offset " + std::to_string(i) +
                      "; percent-encode the path and use punycode for the host");
    }
    if (c == '\\') {
      return UrlError("the URL contains a backslash at offset " + std::to_string(i));
    }
  }
  if (url.find('#') != std::string_view::npos) {
    return UrlError("the URL has a fragment ('#'); fragments are not sent to servers");
  }
  return Ok();
}

// "scheme://authority/path?query" cut at its delimiters.
struct UrlParts {
  std::string scheme;          // lowercased: "http" or "https"
  std::string_view authority;  // host and port, without credentials or '%'
  std::string_view path;       // from the first '/' or '?' after the authority; may be empty
};

Result<UrlParts> SplitUrl(std::string_view url) {
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return UrlError("the URL has no scheme; it must start with https:// or http://");
  }
  UrlParts parts;
  parts.scheme = Lowercase(url.substr(0, colon));
  if (parts.scheme != "http" && parts.scheme != "https") {
    return UrlError("the URL scheme \"" + parts.scheme + "\" is not allowed; use https or http");
  }
  std::string_view rest = url.substr(colon + 1);
  if (!rest.starts_with("//")) {
    return UrlError("the URL must have the form " + parts.scheme + "://host/path");
  }
  rest.remove_prefix(2);
  const std::size_t authority_end = rest.find_first_of("/?");
  parts.authority = rest.substr(0, authority_end);
  if (authority_end != std::string_view::npos) parts.path = rest.substr(authority_end);
  if (parts.authority.find('@') != std::string_view::npos) {
    return UrlError("the URL contains credentials (user@ or user:password@); they are not allowed");
  }
  if (parts.authority.find('%') != std::string_view::npos) {
    return UrlError("the URL host contains '%' (percent-encoding or an IPv6 zone index)");
  }
  return parts;
}

// A host with its port, if any: the host as WebhookUrl keeps it, and the port's text.
struct HostAndPort {
  std::string host;
  bool host_is_literal = false;
  std::optional<std::string_view> port_text;
};

// "[v6-address]" or "[v6-address]:port".
Result<HostAndPort> ParseBracketedHost(std::string_view authority) {
  const std::size_t close = authority.find(']');
  if (close == std::string_view::npos) return UrlError("the IPv6 host has no closing ']'");
  HostAndPort out;
  const std::string_view host = authority.substr(1, close - 1);
  const std::string_view after = authority.substr(close + 1);
  if (!after.empty()) {
    if (after[0] != ':') return UrlError("unexpected characters after the IPv6 host");
    out.port_text = after.substr(1);
  }
  if (host.empty()) return UrlError("the URL has no host");
  std::optional<IpAddress> address = ParseAddressText(host);
  if (!address || address->is_v4) {
    return UrlError("\"" + std::string(host) + "\" is not a valid IPv6 address");
  }
  out.host = FormatIpAddress(*address);
  out.host_is_literal = true;
  return out;
}

// "name", "a.b.c.d", either with ":port".
Result<HostAndPort> ParseNamedHost(std::string_view authority) {
  HostAndPort out;
  const std::size_t port_colon = authority.find(':');
  const std::string_view host = authority.substr(0, port_colon);
  if (port_colon != std::string_view::npos) {
    out.port_text = authority.substr(port_colon + 1);
    if (out.port_text->find(':') != std::string_view::npos) {
      return UrlError("the URL host has several ':'; write an IPv6 address in brackets");
    }
  }
  if (host.empty()) return UrlError("the URL has no host");
  out.host = Lowercase(host);
  if (LooksNumeric(out.host)) {
    std::optional<IpAddress> address = ParseAddressText(out.host);
    if (!address || !address->is_v4) {
      return UrlError("the URL host \"" + out.host +
                      "\" is numeric but not a dotted-quad IPv4 address (a.b.c.d)");
    }
    out.host_is_literal = true;
  } else if (Status valid = ValidateHostName(out.host); !valid) {
    return std::unexpected(std::move(valid.error()));
  }
  return out;
}

// The explicit port, or the scheme's.
Result<int> ParsePort(std::optional<std::string_view> port_text, std::string_view scheme) {
  if (!port_text) return scheme == "https" ? 443 : 80;
  const std::string_view digits = *port_text;
  if (!AllDigits(digits)) {
    return UrlError("the URL port \"" + std::string(digits) + "\" is not a number");
  }
  std::int64_t port = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535) {
    return UrlError("the URL port " + std::string(digits) + " is outside 1..65535");
  }
  return static_cast<int>(port);
}

// The path and query as sent: "/" when the URL has none, "/?q" for a bare query.
std::string RequestPath(std::string_view path) {
  if (path.empty()) return "/";
  if (path[0] == '?') return "/" + std::string(path);
  return std::string(path);
}

}  // namespace

Result<WebhookUrl> ParseWebhookUrl(std::string_view url) {
  if (Status characters = CheckUrlCharacters(url); !characters) {
    return std::unexpected(std::move(characters.error()));
  }
  Result<UrlParts> parts = SplitUrl(url);
  if (!parts) return std::unexpected(std::move(parts.error()));
  Result<HostAndPort> host = parts->authority.starts_with('[')
                                 ? ParseBracketedHost(parts->authority)
                                 : ParseNamedHost(parts->authority);
  if (!host) return std::unexpected(std::move(host.error()));
  Result<int> port = ParsePort(host->port_text, parts->scheme);
  if (!port) return std::unexpected(std::move(port.error()));
  WebhookUrl out;
  out.scheme = std::move(parts->scheme);
  out.host = std::move(host->host);
  out.host_is_literal = host->host_is_literal;
  out.port = *port;
  out.path = RequestPath(parts->path);
  return out;
}

Result<IpAddress> ParseIpAddress(std::string_view text) {
  std::optional<IpAddress> address = ParseAddressText(text);
  if (!address) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_ip_address",
                     "\"" + std::string(text) + "\" is not an IPv4 or IPv6 address", "address");
  }
  return *address;
}

Result<IpAddress> IpAddressFromSockaddr(const sockaddr* address, socklen_t length) {
  if (address != nullptr && length >= static_cast<socklen_t>(sizeof(sockaddr_in)) &&
      address->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, address, sizeof(in));
    IpAddress out;
    out.is_v4 = true;
    std::memcpy(out.bytes.data(), &in.sin_addr, 4);
    return out;
  }
  if (address != nullptr && length >= static_cast<socklen_t>(sizeof(sockaddr_in6)) &&
      address->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, address, sizeof(in6));
    IpAddress out;
    out.is_v4 = false;
    std::memcpy(out.bytes.data(), &in6.sin6_addr, 16);
    return out;
  }
  return MakeError(ErrorKind::kInvalidArgument, "invalid_ip_address",
                   "the socket address is not a complete IPv4 or IPv6 address", "address");
}

std::string FormatIpAddress(const IpAddress& address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(address.is_v4 ? AF_INET : AF_INET6, address.bytes.data(), buffer, sizeof(buffer)) ==
      nullptr) {
    return "?";  // not reachable: the buffer fits every address
  }
  return buffer;
}

Result<Cidr> ParseCidr(std::string_view text) {
  auto fail = [&](std::string why) {
    return MakeError(
        ErrorKind::kInvalidArgument, "invalid_cidr",
        "\"" + std::string(text) + "\" is not a CIDR such as 10.1.0.0/16 or fd00::/8: " + why,
        "cidr");
  };
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return fail("the /prefix-length is missing");
  std::optional<IpAddress> address = ParseAddressText(text.substr(0, slash));
  if (!address) return fail("the address part is not an IPv4 or IPv6 address");
  const std::string_view prefix_text = text.substr(slash + 1);
  if (!AllDigits(prefix_text) || prefix_text.size() > 3) {
    return fail("the prefix length is not a number");
  }
  int prefix = 0;
  std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
  const int max = address->is_v4 ? 32 : 128;
  if (prefix > max) {
    return fail("the prefix length " + std::to_string(prefix) + " is over " + std::to_string(max));
  }
  Cidr cidr;
  cidr.is_v4 = address->is_v4;
  cidr.prefix_length = prefix;
  for (int i = 0; i < 16; ++i) {
    const int bits = std::clamp(prefix - 8 * i, 0, 8);
    const auto mask = static_cast<unsigned char>(bits == 0 ? 0 : 0xff << (8 - bits));
    cidr.address[static_cast<std::size_t>(i)] = address->bytes[static_cast<std::size_t>(i)] & mask;
  }
  return cidr;
}

std::string FormatCidr(const Cidr& cidr) {
  IpAddress address;
  address.is_v4 = cidr.is_v4;
  address.bytes = cidr.address;
  return FormatIpAddress(address) + "/" + std::to_string(cidr.prefix_length);
}

bool CidrContains(const Cidr& cidr, const IpAddress& address) {
  if (cidr.is_v4 != address.is_v4) return false;
  const int max = cidr.is_v4 ? 32 : 128;
  if (cidr.prefix_length < 0 || cidr.prefix_length > max) return false;
  for (int i = 0; i < 16; ++i) {
    const int bits = std::clamp(cidr.prefix_length - 8 * i, 0, 8);
    if (bits == 0) break;
    const auto mask = static_cast<unsigned char>(0xff << (8 - bits));
    const auto at = static_cast<std::size_t>(i);
    if ((address.bytes[at] & mask) != (cidr.address[at] & mask)) return false;
  }
  return true;
}

Status CheckAddressAllowed(const IpAddress& address, std::span<const Cidr> allow,
                           std::string_view allow_entry_name) {
  if (AllowListed(address, allow)) return Ok();
  const std::string text = FormatIpAddress(address);
  if (address.is_v4) {
    if (const Range* range = FindRange(V4Ranges(), address)) {
      return NotAllowed(text + " is " + range->description +
                        Suggest(allow_entry_name, range->hint));
    }
    return Ok();
  }
  if (std::optional<Embedded> embedded = EmbeddedV4(address)) {
    if (AllowListed(embedded->v4, allow)) return Ok();
    if (const Range* range = FindRange(V4Ranges(), embedded->v4)) {
      return NotAllowed(text + " is the " + std::string(embedded->form) + " form of " +
                        FormatIpAddress(embedded->v4) + ", " + range->description +
                        Suggest(allow_entry_name, range->hint));
    }
    return Ok();
  }
  if (HasPrefix(address, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01})) {
    // Local-use NAT64 in a layout other than /96: the embedded IPv4 address is unknown.
    return NotAllowed(text +
                      " is a local-use NAT64 address whose embedded IPv4 address cannot be "
                      "determined" +
                      Suggest(allow_entry_name, "64:ff9b:1::/48"));
  }
  if (const Range* range = FindRange(V6Ranges(), address)) {
    return NotAllowed(text + " is " + range->description + Suggest(allow_entry_name, range->hint));
  }
  if ((address.bytes[0] & 0xe0) != 0x20) {
    // Outside 2000::/3, the only IPv6 space allocated for global unicast: nothing public is
    // reachable there.
    return NotAllowed(text + " is outside the global unicast range 2000::/3 (reserved)" +
                      Suggest(allow_entry_name, text + "/128"));
  }
  return Ok();
}

Status CheckAddressAllowed(std::string_view address, std::span<const Cidr> allow,
                           std::string_view allow_entry_name) {
  Result<IpAddress> parsed = ParseIpAddress(address);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  return CheckAddressAllowed(*parsed, allow, allow_entry_name);
}

}  // namespace recur
