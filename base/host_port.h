// "host:port" as it is written in URLs and logs: an IPv6 literal goes in brackets
// ("[::1]:8080"), anything else as it is ("127.0.0.1:8080", "example.com:443"). Pure.
#pragma once

#include <string>
#include <string_view>

namespace recur {

inline std::string HostPort(std::string_view host, int port) {
  const std::string shown =
      host.find(':') == std::string_view::npos ? std::string(host) : "[" + std::string(host) + "]";
  return shown + ":" + std::to_string(port);
}

}  // namespace recur
