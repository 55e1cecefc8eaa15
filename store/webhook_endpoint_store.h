// Where webhook endpoints are kept (services/webhooks/endpoints.h says what they are). Deleted
// endpoints are kept, marked deleted, so that their delivery history stays readable. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/error.h"

namespace recur {

struct WebhookEndpoint {
  std::string id;  // wep_...
  std::string url;
  std::string description;
  std::vector<std::string> event_types;  // empty: every type
  bool disabled = false;
  std::string disabled_reason;
  std::string secret;  // whsec_...
  std::optional<std::string> previous_secret;
  std::optional<Instant> previous_secret_expires_at;
  Instant created_at;
  Instant updated_at;
  std::optional<Instant> deleted_at;
  // The first failed attempt after the last success; none while healthy.
  std::optional<Instant> failing_since;
  std::int64_t version = 0;  // of the stored row, for UpdateWebhookEndpoint's check
};

// Whether the endpoint takes events of `type`: it has no filter (every type), or its filter
// names the type.
bool TakesEventType(const WebhookEndpoint& endpoint, std::string_view type);

class WebhookEndpointStore {
 public:
  virtual ~WebhookEndpointStore() = default;
  virtual Status CreateWebhookEndpoint(const WebhookEndpoint& endpoint) = 0;
  // Writes every field of an existing endpoint, if it has not changed since it was read (its
  // version); otherwise fails with "concurrent_change" and writes nothing.
  virtual Status UpdateWebhookEndpoint(const WebhookEndpoint& endpoint) = 0;
  // Disables an endpoint with a reason. With `failing_since_before`, only if it is enabled and
  // has been failing since that instant or earlier (so a success or a re-enabling that came in
  // between wins). Returns whether it was disabled now.
  virtual Result<bool> DisableWebhookEndpoint(const std::string& id, const std::string& reason,
                                              Instant at,
                                              std::optional<Instant> failing_since_before) = 0;
  virtual Result<std::optional<WebhookEndpoint>> GetWebhookEndpoint(const std::string& id) = 0;
  // Endpoints not deleted, oldest first.
  virtual Result<std::vector<WebhookEndpoint>> ListWebhookEndpoints() = 0;
};

}  // namespace recur
