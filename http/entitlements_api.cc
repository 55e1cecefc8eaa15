// Entitlement checks, entitlement tokens and the JWKS over HTTP (billing_api.h).
#include "domain/catalog/plan_file.h"
#include "http/billing_api.h"
#include "http/body_reader.h"

namespace recur {
namespace {

using nlohmann::json;

// Clerk's claim prefix: "u:" for user payers, "o:" for organizations.
std::string Scope(PayerType type) { return type == PayerType::kUser ? "u:" : "o:"; }

Result<std::pair<EntitlementEntry, Entitlements>> Lookup(BillingService& billing,
                                                         const std::string& payer_id) {
  std::optional<EntitlementEntry> entry = billing.entitlements().Get(payer_id);
  if (!entry) {
    return MakeError(ErrorKind::kNotFound, "payer_not_found", "no payer " + payer_id, "payer_id");
  }
  return std::pair{*entry, ResolveEntitlements(*billing.catalog(), *entry)};
}

void ListEntitlements(BillingService& billing, const ApiRequest& request,
                      httplib::Response& response) {
  auto found = Lookup(billing, request.params[0]);
  if (!found) {
    SendError(response, found.error());
    return;
  }
  json features = json::array();
  for (const FeatureEntitlement& feature : found->second.features) {
    features.push_back({{"slug", feature.slug},
                        {"name", feature.name},
                        {"limit", FeatureLimitJson(feature.limit)}});
  }
  SendJson(response, 200,
           {{"object", "entitlements"},
            {"payer_id", request.params[0]},
            {"plan", found->second.plan_slug},
            {"features", std::move(features)}});
}

void CheckEntitlement(BillingService& billing, const ApiRequest& request,
                      httplib::Response& response) {
  auto found = Lookup(billing, request.params[0]);
  if (!found) {
    SendError(response, found.error());
    return;
  }
  const std::string& slug = request.params[1];
  json answer = {{"object", "entitlement"},
                 {"payer_id", request.params[0]},
                 {"plan", found->second.plan_slug},
                 {"feature", slug},
                 {"allowed", false},
                 {"limit", nullptr}};
  for (const FeatureEntitlement& feature : found->second.features) {
    if (feature.slug == slug) {
      answer["allowed"] = true;
      answer["limit"] = FeatureLimitJson(feature.limit);
    }
  }
  SendJson(response, 200, answer);
}

void IssueToken(BillingService& billing, const SigningKey& key, const Clock& clock,
                const BillingApiOptions& options, const ApiRequest& request,
                httplib::Response& response) {
  auto body = ParseJsonBody(request.http);
  if (!body) {
    SendError(response, body.error());
    return;
  }
  BodyReader reader(*body);
  const std::int64_t ttl =
      reader.Integer("ttl_seconds", false, 10, 3600).value_or(options.token_ttl.count());
  if (auto done = reader.Finish({"ttl_seconds"}); !done) {
    SendError(response, done.error());
    return;
  }
  auto found = Lookup(billing, request.params[0]);
  if (!found) {
    SendError(response, found.error());
    return;
  }
  const auto& [entry, entitlements] = *found;
  const std::string scope = Scope(entry.payer_type);
  std::string features;
  for (const FeatureEntitlement& feature : entitlements.features) {
    features += (features.empty() ? "" : ",") + scope + feature.slug;
  }
  const std::int64_t now = ToUnixMillis(clock.Now()) / 1000;
  const json claims = {{"iss", options.token_issuer},
                       {"sub", entry.external_id},
                       {"payer_id", request.params[0]},
                       {"pla", scope + entitlements.plan_slug},
                       {"fea", features},
                       {"iat", now},
                       {"nbf", now},
                       {"exp", now + ttl}};
  SendJson(response, 200,
           {{"object", "entitlement_token"},
            {"jwt", key.SignJwt(claims)},
            {"expires_at", (now + ttl) * 1000}});
}

}  // namespace

void AddEntitlementRoutes(HttpServer& server, BillingService& billing, const SigningKey& key,
                          const Clock& clock, BillingApiOptions options) {
  server.Route("GET", "/v1/payers/{id}/entitlements", Access::kSecretKey,
               [&billing](const ApiRequest& request, httplib::Response& response) {
                 ListEntitlements(billing, request, response);
               });
  server.Route("GET", "/v1/payers/{id}/entitlements/{feature}", Access::kSecretKey,
               [&billing](const ApiRequest& request, httplib::Response& response) {
                 CheckEntitlement(billing, request, response);
               });
  server.Route(
      "POST", "/v1/payers/{id}/entitlement_token", Access::kSecretKey,
      [&billing, &key, &clock, options](const ApiRequest& request, httplib::Response& response) {
        IssueToken(billing, key, clock, options, request, response);
      });
  const std::string jwks = Jwks(std::span<const SigningKey>(&key, 1)).dump();
  server.Route("GET", "/.well-known/jwks.json", Access::kPublic,
               [jwks](const ApiRequest&, httplib::Response& response) {
                 response.status = 200;
                 response.set_content(jwks, "application/json");
               });
}

}  // namespace recur
