// Who a request comes from when reverse proxies stand in front of the server.
//
// The contract:
// - The client is the connection's peer, unless the peer is a trusted proxy (an address inside
//   one of the operator's ranges). Then the X-Forwarded-For list says whom the proxy was talking
//   to, and the client is its right-most address that is not itself a trusted proxy, read from
//   the right as nginx's realip module does with real_ip_recursive on. What stands left of that
//   address was written by the client or by a proxy not trusted, and is never read; a peer that
//   is not a trusted proxy has its X-Forwarded-For ignored whole.
// - Several X-Forwarded-For headers are one list, in the order they came (RFC 9110 5.3). An entry
//   is an IPv4 or IPv6 address, optionally with a port ("192.0.2.1:4711", "[2001:db8::1]:4711")
//   or in brackets; spaces around it and empty entries are ignored (RFC 9110 5.6.1).
// - A malformed entry ("unknown", a name, garbage) met on the walk ends it: the client is then
//   the last address the walk reached, the trusted proxy that passed the entry on (the peer when
//   the right-most entry is malformed). Text from the header never becomes the client's address
//   unless it parsed as an address; a resolved address comes back in canonical text.
// - An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is judged, and returned from the list, as the
//   IPv4 address it carries, so one range covers a proxy on an IPv4 and a dual-stack socket.
// - Whether a request came over HTTPS: the server speaks plain HTTP itself, so only when its peer
//   is a trusted proxy whose X-Forwarded-Proto says "https" (the right-most value, the one the
//   proxy in front wrote). A peer that is not a trusted proxy has the header ignored.
// Pure functions of their arguments; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "domain/webhooks/url_policy.h"
#include "http/http_request.h"

namespace recur {

// A trusted proxy as an operator writes it: a range ("10.0.0.0/8", "fd00::/8") or one address
// ("127.0.0.1", "::1"; a /32 or /128). Errors: code "invalid_cidr", quoting the text.
Result<Cidr> ParseTrustedProxy(std::string_view text);

// The client's address of a request from `peer` (the connection's peer address, in text) with
// `headers`, as the contract above says. Without trusted proxies it is `peer` as given.
std::string ClientAddress(std::string_view peer, const HttpHeaders& headers,
                          std::span<const Cidr> trusted_proxies);

// Whether the request from `peer` with `headers` came over HTTPS, as the contract above says.
bool CameOverHttps(std::string_view peer, const HttpHeaders& headers,
                   std::span<const Cidr> trusted_proxies);

}  // namespace recur
