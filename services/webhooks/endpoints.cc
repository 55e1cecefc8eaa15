#include "services/webhooks/endpoints.h"

#include <array>

#include "base/suggest.h"
#include "domain/subscriptions/billing_event.h"
#include "domain/webhooks/signing.h"

namespace recur {
namespace {

Result<WebhookEndpoint> Found(Result<std::optional<WebhookEndpoint>> found, const std::string& id) {
  if (!found) return std::unexpected(found.error());
  if (!*found) {
    return MakeError(ErrorKind::kNotFound, "webhook_endpoint_not_found",
                     "no webhook endpoint " + id, "id");
  }
  return **found;
}

}  // namespace

Status CheckEventTypes(const std::vector<std::string>& event_types) {
  std::array<std::string_view, kEventTypeCount> names;
  for (int i = 0; i < kEventTypeCount; ++i) names[i] = EventTypeName(static_cast<EventType>(i));
  for (const std::string& type : event_types) {
    if (ParseEventType(type)) continue;
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "unknown event type " + type + DidYouMean(type, names), "event_types");
  }
  return Ok();
}

Status WebhookEndpoints::CheckUrl(const std::string& url) const {
  if (auto checked =
          CheckWebhookUrl(url, options_.allow, options_.allow_entry_name, *options_.resolver);
      !checked) {
    return std::unexpected(checked.error());
  }
  return Ok();
}

Result<CheckedWebhookUrl> CheckWebhookUrl(const std::string& url, std::span<const Cidr> allow,
                                          std::string_view allow_entry_name,
                                          const HostResolver& resolver) {
  auto parsed = ParseWebhookUrl(url);
  if (!parsed) return std::unexpected(parsed.error());
  std::vector<IpAddress> addresses;
  if (parsed->host_is_literal) {
    auto address = ParseIpAddress(parsed->host);
    if (!address) return std::unexpected(address.error());
    addresses.push_back(*address);
  } else {
    auto resolved = resolver.Resolve(parsed->host);
    if (!resolved) return std::unexpected(resolved.error());
    addresses = std::move(*resolved);
  }
  if (addresses.empty()) return UnresolvableHost(parsed->host, "the resolver answered nothing");
  for (const IpAddress& address : addresses) {
    if (auto allowed = CheckAddressAllowed(address, allow, allow_entry_name); !allowed) {
      Error error = allowed.error();
      error.param = "url";
      return std::unexpected(error);
    }
  }
  return CheckedWebhookUrl{std::move(*parsed), std::move(addresses)};
}

Result<WebhookEndpoint> WebhookEndpoints::Create(const std::string& url,
                                                 std::vector<std::string> event_types,
                                                 std::string description) {
  if (auto checked = CheckUrl(url); !checked) return std::unexpected(checked.error());
  if (auto checked = CheckEventTypes(event_types); !checked) {
    return std::unexpected(checked.error());
  }
  const Instant now = clock_.Now();
  WebhookEndpoint endpoint;
  endpoint.id = ids_.NewId("wep");
  endpoint.url = url;
  endpoint.description = std::move(description);
  endpoint.event_types = std::move(event_types);
  endpoint.secret = NewWebhookSecretText();
  endpoint.created_at = now;
  endpoint.updated_at = now;
  if (auto created = store_.CreateWebhookEndpoint(endpoint); !created) {
    return std::unexpected(created.error());
  }
  return endpoint;
}

Result<WebhookEndpoint> WebhookEndpoints::Get(const std::string& id) {
  return Found(store_.GetWebhookEndpoint(id), id);
}

Result<std::vector<WebhookEndpoint>> WebhookEndpoints::List() {
  return store_.ListWebhookEndpoints();
}

Result<WebhookEndpoint> WebhookEndpoints::Change(
    const std::string& id, const std::function<Status(WebhookEndpoint&, Instant now)>& change) {
  // The dispatcher may disable the endpoint between the read and the write; the write then
  // fails and the change is made again on what is stored now.
  constexpr int kTries = 5;
  for (int attempt = 1;; ++attempt) {
    auto endpoint = Get(id);
    if (!endpoint) return endpoint;
    const Instant now = clock_.Now();  // one instant for everything the change stamps
    if (auto changed = change(*endpoint, now); !changed) return std::unexpected(changed.error());
    endpoint->updated_at = now;
    auto updated = store_.UpdateWebhookEndpoint(*endpoint);
    if (updated) {
      ++endpoint->version;
      return endpoint;
    }
    if (updated.error().code != "concurrent_change" || attempt == kTries) {
      return std::unexpected(updated.error());
    }
  }
}

Result<WebhookEndpoint> WebhookEndpoints::Update(const std::string& id,
                                                 const WebhookEndpointChanges& changes) {
  if (changes.url) {
    if (auto checked = CheckUrl(*changes.url); !checked) return std::unexpected(checked.error());
  }
  if (changes.event_types) {
    if (auto checked = CheckEventTypes(*changes.event_types); !checked) {
      return std::unexpected(checked.error());
    }
  }
  return Change(id, [&](WebhookEndpoint& endpoint, Instant) -> Status {
    if (changes.url) endpoint.url = *changes.url;
    if (changes.event_types) endpoint.event_types = *changes.event_types;
    if (changes.description) endpoint.description = *changes.description;
    if (changes.disabled && *changes.disabled != endpoint.disabled) {
      endpoint.disabled = *changes.disabled;
      endpoint.disabled_reason = endpoint.disabled ? "disabled through the API" : "";
      // Enabled again: a new period of failures starts with its next failure.
      endpoint.failing_since.reset();
    }
    return Ok();
  });
}

Result<WebhookEndpoint> WebhookEndpoints::Delete(const std::string& id) {
  return Change(id, [&](WebhookEndpoint& endpoint, Instant now) -> Status {
    endpoint.deleted_at = now;
    return Ok();
  });
}

Result<WebhookEndpoint> WebhookEndpoints::RotateSecret(const std::string& id) {
  return Change(id, [&](WebhookEndpoint& endpoint, Instant now) -> Status {
    endpoint.previous_secret = endpoint.secret;
    endpoint.previous_secret_expires_at = now + options_.rotation_overlap;
    endpoint.secret = NewWebhookSecretText();
    return Ok();
  });
}

}  // namespace recur
