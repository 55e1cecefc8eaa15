#include "services/webhooks/host_resolver.h"

#include <netdb.h>

namespace recur {
namespace {

class GetaddrinfoResolver final : public HostResolver {
 public:
  Result<std::vector<IpAddress>> Resolve(const std::string& host) const override {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int error = getaddrinfo(host.c_str(), nullptr, &hints, &found); error != 0) {
      return UnresolvableHost(host, gai_strerror(error));
    }
    std::vector<IpAddress> addresses;
    for (addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
      if (auto address = IpAddressFromSockaddr(entry->ai_addr, entry->ai_addrlen)) {
        addresses.push_back(*address);
      }
    }
    freeaddrinfo(found);
    if (addresses.empty()) return UnresolvableHost(host, "it has no IPv4 or IPv6 address");
    return addresses;
  }
};

}  // namespace

std::shared_ptr<const HostResolver> SystemHostResolver() {
  static const auto resolver = std::make_shared<const GetaddrinfoResolver>();
  return resolver;
}

std::unexpected<Error> UnresolvableHost(const std::string& host, std::string_view why) {
  return MakeError(ErrorKind::kInvalidArgument, "unresolvable_host",
                   "the host " + host + " of the url cannot be resolved: " + std::string(why),
                   "url");
}

}  // namespace recur
