// Entitlement checks, entitlement tokens and the JWKS over HTTP (billing_api.h).
#include "domain/catalog/plan_file.h"
#include "http/billing_api.h"
#include "http/body_reader.h"
#include "services/billing/not_found.h"

namespace recur {
namespace {

using nlohmann::json;

// Clerk's claim prefix: "u:" for user payers, "o:" for organizations.
std::string Scope(PayerType type) { return type == PayerType::kUser ? "u:" : "o:"; }

Result<std::pair<EntitlementEntry, Entitlements>> Lookup(BillingService& billing,
                                                         const std::string& payer_id) {
  auto entry = billing.Entitlement(payer_id);
  if (!entry) return std::unexpected(entry.error());
  if (!*entry) {
    return std::unexpected(PayerNotFound(payer_id));
  }
  return std::pair{**entry, ResolveEntitlements(*billing.catalog(), **entry)};
}

}  // namespace

Result<ApiResponse> ListEntitlements(const ApiServices& api, const ApiRequest& request) {
  const std::string& payer_id = request.path_params[0];
  auto found = Lookup(api.billing, payer_id);
  if (!found) return std::unexpected(found.error());
  json features = json::array();
  for (const FeatureEntitlement& feature : found->second.features) {
    features.push_back({{"slug", feature.slug},
                        {"name", feature.name},
                        {"limit", FeatureLimitJson(feature.limit)}});
  }
  return JsonResponse({{"object", "entitlements"},
                       {"payer_id", payer_id},
                       {"plan", found->second.plan_slug},
                       {"features", std::move(features)}});
}

Result<ApiResponse> CheckEntitlement(const ApiServices& api, const ApiRequest& request) {
  const std::string& payer_id = request.path_params[0];
  auto found = Lookup(api.billing, payer_id);
  if (!found) return std::unexpected(found.error());
  const std::string& slug = request.path_params[1];
  json answer = {
      {"object", "entitlement"}, {"payer_id", payer_id}, {"plan", found->second.plan_slug},
      {"feature", slug},         {"allowed", false},     {"limit", nullptr}};
  for (const FeatureEntitlement& feature : found->second.features) {
    if (feature.slug == slug) {
      answer["allowed"] = true;
      answer["limit"] = FeatureLimitJson(feature.limit);
    }
  }
  return JsonResponse(answer);
}

Result<ApiResponse> IssueEntitlementToken(const ApiServices& api, const ApiRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  const std::int64_t ttl =
      reader.Integer("ttl_seconds", false, 10, 3600).value_or(api.tokens.ttl.count());
  if (auto done = reader.Finish({"ttl_seconds"}); !done) return std::unexpected(done.error());
  const std::string& payer_id = request.path_params[0];
  auto found = Lookup(api.billing, payer_id);
  if (!found) return std::unexpected(found.error());
  const auto& [entry, entitlements] = *found;
  const std::string scope = Scope(entry.payer_type);
  std::string features;
  for (const FeatureEntitlement& feature : entitlements.features) {
    features += (features.empty() ? "" : ",") + scope + feature.slug;
  }
  const std::int64_t now = ToUnixMillis(api.clock.Now()) / 1000;
  const json claims = {{"iss", api.tokens.issuer},
                       {"sub", entry.external_id},
                       {"payer_id", payer_id},
                       {"pla", scope + entitlements.plan_slug},
                       {"fea", features},
                       {"iat", now},
                       {"nbf", now},
                       {"exp", now + ttl}};
  return JsonResponse({{"object", "entitlement_token"},
                       {"jwt", api.signing_key.SignJwt(claims)},
                       {"expires_at", (now + ttl) * 1000}});
}

Result<ApiResponse> GetJwks(const ApiServices& api, const ApiRequest&) {
  return JsonResponse(Jwks(std::span<const SigningKey>(&api.signing_key, 1)));
}

}  // namespace recur
