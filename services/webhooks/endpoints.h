// Webhook endpoints: where events are delivered. Each has a URL, an optional filter of event
// types (none: every type), a description, a disabled flag with its reason, and a signing
// secret ("whsec_" + 32 random bytes) shown when the endpoint is made and when it is rotated.
// After a rotation the previous secret signs too, for an overlap (default 24 hours), so
// receivers can switch without losing a delivery.
// URLs are checked against SSRF when set: http or https only, no credentials, and every
// address the host resolves to must be public unless the operator's allow-list names it
// (url_policy.h). The dispatcher checks the addresses again at each attempt and connects only
// to an address it checked (host_resolver.h).
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "base/ids.h"
#include "domain/webhooks/url_policy.h"
#include "services/webhooks/host_resolver.h"
#include "store/webhook_endpoint_store.h"

namespace recur {

struct WebhookEndpointOptions {
  std::vector<Cidr> allow;  // address ranges allowed despite the SSRF policy; default none
  std::chrono::hours rotation_overlap{24};
  // What a refused URL's message calls an entry of `allow` (url_policy.h).
  std::string allow_entry_name{kAllowListEntryName};
  std::shared_ptr<const HostResolver> resolver = SystemHostResolver();
};

struct WebhookEndpointChanges {
  std::optional<std::string> url;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> event_types;
  std::optional<bool> disabled;
};

class WebhookEndpoints {
 public:
  WebhookEndpoints(WebhookEndpointStore& store, IdGenerator& ids, const Clock& clock,
                   WebhookEndpointOptions options)
      : store_(store), ids_(ids), clock_(clock), options_(std::move(options)) {}

  Result<WebhookEndpoint> Create(const std::string& url, std::vector<std::string> event_types,
                                 std::string description);
  Result<WebhookEndpoint> Get(const std::string& id);
  Result<std::vector<WebhookEndpoint>> List();
  Result<WebhookEndpoint> Update(const std::string& id, const WebhookEndpointChanges& changes);
  Result<WebhookEndpoint> Delete(const std::string& id);
  Result<WebhookEndpoint> RotateSecret(const std::string& id);

  // The URL's syntax and every address its host resolves to.
  Status CheckUrl(const std::string& url) const;

 private:
  // Reads the endpoint, applies `change` at one instant (also its updated_at) and writes it,
  // again if the endpoint changed in between; answers the endpoint as written.
  Result<WebhookEndpoint> Change(
      const std::string& id, const std::function<Status(WebhookEndpoint&, Instant now)>& change);

  WebhookEndpointStore& store_;
  IdGenerator& ids_;
  const Clock& clock_;
  const WebhookEndpointOptions options_;
};

// A URL as parsed and the addresses it may be reached at: every one checked, at least one.
struct CheckedWebhookUrl {
  WebhookUrl url;
  std::vector<IpAddress> addresses;  // the host itself when it is a literal; in resolver order
};

// A URL's syntax and every address `resolver` answers for its host (a literal host is its own
// address), against the SSRF policy. A refusal names the entry of `allow` that would permit the
// address as `allow_entry_name` calls it. A delivery connects only to the addresses answered.
Result<CheckedWebhookUrl> CheckWebhookUrl(const std::string& url, std::span<const Cidr> allow,
                                          std::string_view allow_entry_name,
                                          const HostResolver& resolver);

// Every name must be a billing event type (a typo gets a suggestion).
Status CheckEventTypes(const std::vector<std::string>& event_types);

}  // namespace recur
