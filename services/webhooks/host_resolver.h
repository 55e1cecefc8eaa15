// Resolving a webhook endpoint's host name to the addresses a delivery may connect to. The SSRF
// check (endpoints.h: CheckWebhookUrl) asks a HostResolver once per check and judges every
// address it answers; the delivery then connects to one of exactly those addresses, so a name
// that answers differently a moment later (DNS rebinding) cannot send it anywhere unchecked.
// Injected so that tests can answer as a rebinding server would. Implementations are shared by
// the dispatcher's workers: they must be thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "domain/webhooks/url_policy.h"

namespace recur {

class HostResolver {
 public:
  virtual ~HostResolver() = default;

  // The addresses of `host` (a name, never a literal), in the order to try them; at least one.
  // A name that cannot be resolved is code "unresolvable_host", param "url".
  virtual Result<std::vector<IpAddress>> Resolve(const std::string& host) const = 0;
};

// The system's resolver (getaddrinfo, which reads /etc/hosts and DNS). Shared, stateless.
std::shared_ptr<const HostResolver> SystemHostResolver();

// The error a resolver answers for a name without addresses: `why` says what failed.
std::unexpected<Error> UnresolvableHost(const std::string& host, std::string_view why);

}  // namespace recur
