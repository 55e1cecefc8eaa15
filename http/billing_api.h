// The billing endpoints (secret key unless said otherwise):
//   POST /v1/payers                                   create a payer, on the default plan
//   GET  /v1/payers/{id}
//   POST /v1/payers/{id}/payment_methods              attach a payment method {token, default?}
//   GET  /v1/payers/{id}/subscription                 the subscription with its live items
//   POST /v1/payers/{id}/subscription_items           {plan, interval, free_trial?}
//   DELETE /v1/subscription_items/{id}[?end_now=true] cancel
//   POST /v1/subscription_items/{id}/extend_free_trial {extend_to}
//   GET  /v1/payers/{id}/entitlements[/{feature}]     from memory
//   POST /v1/payers/{id}/entitlement_token            a short-lived ES256 JWT
//   GET  /.well-known/jwks.json                       public: the key that signs those tokens
//   GET  /v1/payment_attempts?payer_id=               newest first, paginated
//   GET  /v1/events?payer_id=&type=                   newest first, paginated
//   GET  /v1/pricing_table?payer_id=|payer_type=      public: plans and what each would do
//   POST /v1/test_clocks, GET|DELETE /v1/test_clocks/{id}, POST /v1/test_clocks/{id}/advance
//   POST|GET /v1/webhook_endpoints, GET|PATCH|DELETE /v1/webhook_endpoints/{id},
//   POST /v1/webhook_endpoints/{id}/rotate_secret, GET /v1/webhook_endpoints/{id}/attempts
#pragma once

#include <string>

#include "domain/entitlements/signing_key.h"
#include "http/http_server.h"
#include "http/rendered_catalog.h"
#include "services/billing/billing_service.h"
#include "services/scheduler/test_clocks.h"
#include "services/webhooks/endpoints.h"
#include "store/webhook_delivery_store.h"

namespace recur {

struct BillingApiOptions {
  std::string token_issuer;  // the JWT `iss`
  std::chrono::seconds token_ttl{60};
};

void AddPayerRoutes(HttpServer& server, BillingService& billing);
void AddEntitlementRoutes(HttpServer& server, BillingService& billing, const SigningKey& key,
                          const Clock& clock, BillingApiOptions options);
void AddActivityRoutes(HttpServer& server, BillingService& billing);
void AddPricingTableRoute(HttpServer& server, BillingService& billing,
                          RenderedCatalogs& rendered_catalogs, const Clock& clock);
void AddTestClockRoutes(HttpServer& server, TestClocks& clocks);
void AddWebhookEndpointRoutes(HttpServer& server, WebhookEndpoints& endpoints,
                              WebhookDeliveryStore& deliveries);

}  // namespace recur
