// The API's routes: kApiRoutes below is the one table of every route `recur serve` answers, with
// its method, pattern, who may call it (Access) and its handler. AddApiRoutes gives the table to
// a server. docs/api.md lists the same routes for users and docs/openapi.json describes them;
// billing_api_test.cc and openapi_document_test.cc fail when either differs from the table. A
// new endpoint is a handler in one of the files named below, a line in the table, a row of
// docs/api.md's index and an operation in docs/openapi.json.
//
// Every handler has one shape (RouteHandler): it takes the services it calls (ApiServices) and
// the request (api_handler.h), and answers a response or an Error. The services are thread-safe
// and outlive the server; a handler keeps no state of its own.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "domain/entitlements/signing_key.h"
#include "http/api_handler.h"
#include "http/rendered_catalog.h"
#include "services/billing/billing_service.h"
#include "services/catalog/catalog_service.h"
#include "services/health/readiness.h"
#include "services/reports/overview_report.h"
#include "services/scheduler/test_clocks.h"
#include "services/sessions/console_sessions.h"
#include "services/sessions/payer_sessions.h"
#include "services/webhooks/endpoints.h"
#include "store/gateway_event_store.h"
#include "store/webhook_delivery_store.h"

namespace recur {

class HttpServer;

// What a browser needs to know of the payment gateway, told by the pricing table
// (docs/components.md): its name, and with Stripe the publishable key Stripe.js runs with.
struct PublicGatewaySettings {
  std::string name = "sandbox";  // "sandbox" or "stripe"
  std::string publishable_key;   // pk_test_... or pk_live_...; empty: none given
};

struct EntitlementTokenOptions {
  std::string issuer;  // the JWT `iss`
  std::chrono::seconds ttl{60};
};

// What the handlers call. Made by the program that serves; everything it names outlives the
// server.
struct ApiServices {
  BillingService& billing;
  CatalogService& catalog;
  RenderedCatalogs& rendered_catalogs;  // the catalog's texts, rendered once per snapshot
  TestClocks& test_clocks;
  WebhookEndpoints& webhook_endpoints;
  WebhookDeliveryStore& webhook_deliveries;
  const SigningKey& signing_key;  // signs entitlement tokens
  const Clock& clock;
  EntitlementTokenOptions tokens;
  PayerSessions& sessions;         // mints, revokes and checks payer sessions
  OverviewReport& overview;        // the operator's overview of revenue and trials
  Readiness* readiness = nullptr;  // none: /readyz answers not ready
  // The text of a scrape of /metrics (base/metrics.h); none: /metrics answers 404.
  std::function<std::string()> metrics;
  // Where the gateway's webhook events applied are recorded, so that one delivered again is not
  // applied twice; none: each delivery is applied (what a notice does is idempotent).
  GatewayEventStore* gateway_events = nullptr;
  PublicGatewaySettings gateway;  // said by the pricing table
  // For tests only (RECUR_TEST_KILL_BEFORE_GATEWAY_EVENT_ANSWER): a gateway event whose effect
  // committed ends the process with SIGKILL before it is answered, so that the sender delivers
  // it again to the next run.
  bool kill_before_gateway_event_answer = false;
  // The merchant's name, at the top of every receipt (receipts_api.cc).
  std::string merchant_name = "Recur";
  // Signs operators in to the console and checks their sessions; none: the console's session
  // routes answer 503 and a console cookie is no credential.
  ConsoleSessions* console_sessions = nullptr;
};

using RouteHandler = Result<ApiResponse> (*)(const ApiServices&, const ApiRequest&);

// The handlers, by the file that defines them.
// plans_api.cc: the plans list is the text rendered once per catalog snapshot and payer type.
Result<ApiResponse> Health(const ApiServices&, const ApiRequest&);
// operations_api.cc: what load balancers and monitoring ask
Result<ApiResponse> Ready(const ApiServices&, const ApiRequest&);
Result<ApiResponse> GetMetrics(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ListPlans(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ReloadPlans(const ApiServices&, const ApiRequest&);
// payers_api.cc
Result<ApiResponse> CreatePayer(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ListPayers(const ApiServices&, const ApiRequest&);  // ?query=&limit=&...
Result<ApiResponse> GetPayer(const ApiServices&, const ApiRequest&);
Result<ApiResponse> AttachPaymentMethod(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ListPaymentMethods(const ApiServices&, const ApiRequest&);
Result<ApiResponse> DetachPaymentMethod(const ApiServices&, const ApiRequest&);
Result<ApiResponse> StartCardSetup(const ApiServices&, const ApiRequest&);
// gateway_webhook_api.cc: Stripe's events, verified by their signature.
Result<ApiResponse> ReceiveStripeWebhook(const ApiServices&, const ApiRequest&);
Result<ApiResponse> GetSubscription(const ApiServices&, const ApiRequest&);
Result<ApiResponse> Subscribe(const ApiServices&, const ApiRequest&);
Result<ApiResponse> CancelItem(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ExtendFreeTrial(const ApiServices&, const ApiRequest&);
// payer_sessions_api.cc: minting and revoking payer sessions (services/sessions/payer_sessions.h).
Result<ApiResponse> CreatePayerSession(const ApiServices&, const ApiRequest&);
Result<ApiResponse> RevokePayerSessions(const ApiServices&, const ApiRequest&);
// console_sessions_api.cc: signing in to the console with the secret key, and out
// (services/sessions/console_sessions.h, console_access.h).
Result<ApiResponse> SignInToConsole(const ApiServices&, const ApiRequest&);
Result<ApiResponse> GetConsoleSession(const ApiServices&, const ApiRequest&);
Result<ApiResponse> SignOutOfConsole(const ApiServices&, const ApiRequest&);
// entitlements_api.cc
Result<ApiResponse> ListEntitlements(const ApiServices&, const ApiRequest&);
Result<ApiResponse> CheckEntitlement(const ApiServices&, const ApiRequest&);
Result<ApiResponse> IssueEntitlementToken(const ApiServices&, const ApiRequest&);
Result<ApiResponse> GetJwks(const ApiServices&, const ApiRequest&);
// activity_api.cc
Result<ApiResponse> ListPaymentAttempts(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ListEvents(const ApiServices&, const ApiRequest&);
// statements_api.cc: statements in the shape of Clerk's BillingStatement.
Result<ApiResponse> ListStatements(const ApiServices&, const ApiRequest&);
Result<ApiResponse> GetStatement(const ApiServices&, const ApiRequest&);
// receipts_api.cc: printable HTML receipts (domain/receipts/receipt_html.h).
Result<ApiResponse> GetAttemptReceipt(const ApiServices&, const ApiRequest&);
Result<ApiResponse> GetStatementReceipt(const ApiServices&, const ApiRequest&);
// pricing_table_api.cc: the plans' texts rendered once per snapshot, the payer's part per request.
Result<ApiResponse> GetPricingTable(const ApiServices&, const ApiRequest&);
// openapi_api.cc: docs/openapi.json, compiled in (openapi_document.h).
Result<ApiResponse> GetOpenApiDocument(const ApiServices&, const ApiRequest&);
// assets_api.cc: web/recur.js, the browser components, compiled in (recur_script.h).
Result<ApiResponse> GetRecurScript(const ApiServices&, const ApiRequest&);
// console_api.cc: the operator console's page and files (web/console/), compiled in
// (console_files.h).
Result<ApiResponse> GetConsolePage(const ApiServices&, const ApiRequest&);
Result<ApiResponse> GetConsoleFile(const ApiServices&, const ApiRequest&);
// reports_api.cc: the operator's overview, and the whole catalog with its price versions.
Result<ApiResponse> GetOverview(const ApiServices&, const ApiRequest&);
Result<ApiResponse> GetCatalog(const ApiServices&, const ApiRequest&);
// test_clocks_api.cc
Result<ApiResponse> CreateTestClock(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ListTestClocks(const ApiServices&, const ApiRequest&);  // ?limit=&...
Result<ApiResponse> GetTestClock(const ApiServices&, const ApiRequest&);
Result<ApiResponse> DeleteTestClock(const ApiServices&, const ApiRequest&);
Result<ApiResponse> AdvanceTestClock(const ApiServices&, const ApiRequest&);
// clerk/clerk_billing_api.cc: the billing routes of Clerk's Backend API that @clerk/backend
// calls, in Clerk's shapes (clerk/clerk_shapes.h) and error format (ErrorFormat::kClerk).
Result<ApiResponse> ClerkListPlans(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ClerkGetUserSubscription(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ClerkGetOrganizationSubscription(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ClerkCancelSubscriptionItem(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ClerkExtendFreeTrial(const ApiServices&, const ApiRequest&);
// webhook_endpoints_api.cc
Result<ApiResponse> ListWebhookAttempts(const ApiServices&, const ApiRequest&);
Result<ApiResponse> CreateWebhookEndpoint(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ListWebhookEndpoints(const ApiServices&, const ApiRequest&);
Result<ApiResponse> GetWebhookEndpoint(const ApiServices&, const ApiRequest&);
Result<ApiResponse> UpdateWebhookEndpoint(const ApiServices&, const ApiRequest&);
Result<ApiResponse> DeleteWebhookEndpoint(const ApiServices&, const ApiRequest&);
Result<ApiResponse> RecoverWebhooks(const ApiServices&, const ApiRequest&);
Result<ApiResponse> ResendWebhook(const ApiServices&, const ApiRequest&);
Result<ApiResponse> RotateWebhookSecret(const ApiServices&, const ApiRequest&);

struct ApiRoute {
  std::string_view method;
  std::string_view pattern;  // "{name}" matches one path segment (router.h)
  Access access;
  RouteHandler handler;
  ErrorFormat errors = ErrorFormat::kRecur;  // how its errors are written (api_error.h)
};

// Matched in this order; a path asked with another method lists the methods in this order too.
// The access column is the one rule of who may call what (api_handler.h's Access): the routes a
// payer session may use are those of kPayerSession, kItemSession, kStatementSession,
// kAttemptSession and kPublicUnlessPayer.
inline constexpr ApiRoute kApiRoutes[] = {
    {"GET", "/healthz", Access::kPublic, Health},
    {"GET", "/readyz", Access::kPublic, Ready},
    {"GET", "/metrics", Access::kSecretKey, GetMetrics},
    {"GET", "/v1/openapi.json", Access::kPublic, GetOpenApiDocument},
    {"GET", "/v1/assets/recur.js", Access::kPublic, GetRecurScript},
    // The operator console (docs/console.md): public files; its data comes from the API.
    {"GET", "/console", Access::kPublic, GetConsolePage},
    {"GET", "/console/{file}", Access::kPublic, GetConsoleFile},
    {"GET", "/v1/plans", Access::kPublic, ListPlans},  // ?payer_type=user|org
    {"POST", "/v1/plans/reload", Access::kSecretKey, ReloadPlans},
    {"POST", "/v1/payers", Access::kSecretKey, CreatePayer},
    // the console's payer search and list
    {"GET", "/v1/payers", Access::kSecretKey, ListPayers},  // ?query=&limit=&starting_after=
    {"GET", "/v1/payers/{id}", Access::kSecretKey, GetPayer},
    {"POST", "/v1/payers/{id}/sessions", Access::kSecretKey, CreatePayerSession},
    {"DELETE", "/v1/payers/{id}/sessions", Access::kSecretKey, RevokePayerSessions},
    // The console's sign-in: the secret key in the body; then its cookie
    {"POST", "/v1/console/session", Access::kConsoleSignIn, SignInToConsole},
    {"GET", "/v1/console/session", Access::kConsoleSession, GetConsoleSession},
    {"DELETE", "/v1/console/session", Access::kConsoleSession, SignOutOfConsole},
    {"POST", "/v1/payers/{id}/payment_methods", Access::kPayerSession, AttachPaymentMethod},
    {"GET", "/v1/payers/{id}/payment_methods", Access::kPayerSession, ListPaymentMethods},
    {"DELETE", "/v1/payers/{id}/payment_methods/{pm}", Access::kSecretKey, DetachPaymentMethod},
    {"POST", "/v1/payers/{id}/setup_intents", Access::kPayerSession, StartCardSetup},
    // public: the Stripe-Signature header is the credential
    {"POST", "/v1/gateways/stripe/webhook", Access::kPublic, ReceiveStripeWebhook},
    {"GET", "/v1/payers/{id}/subscription", Access::kPayerSession, GetSubscription},
    {"POST", "/v1/payers/{id}/subscription_items", Access::kPayerSession, Subscribe},
    {"DELETE", "/v1/subscription_items/{id}", Access::kItemSession, CancelItem},  // ?end_now=
    {"POST", "/v1/subscription_items/{id}/extend_free_trial", Access::kSecretKey, ExtendFreeTrial},
    {"GET", "/v1/payers/{id}/entitlements", Access::kPayerSession, ListEntitlements},
    {"GET", "/v1/payers/{id}/entitlements/{feature}", Access::kPayerSession, CheckEntitlement},
    {"POST", "/v1/payers/{id}/entitlement_token", Access::kSecretKey, IssueEntitlementToken},
    {"GET", "/.well-known/jwks.json", Access::kPublic, GetJwks},
    {"GET", "/v1/payment_attempts", Access::kSecretKey, ListPaymentAttempts},  // ?payer_id=
    {"GET", "/v1/payers/{id}/statements", Access::kPayerSession, ListStatements},
    {"GET", "/v1/statements/{id}", Access::kStatementSession, GetStatement},
    // HTML receipts: a paid attempt's, and a statement's page
    {"GET", "/v1/payment_attempts/{id}/receipt", Access::kAttemptSession, GetAttemptReceipt},
    {"GET", "/v1/statements/{id}/receipt", Access::kStatementSession, GetStatementReceipt},
    {"GET", "/v1/events", Access::kSecretKey, ListEvents},  // ?payer_id=&type=
    // ?payer_type= is public; ?payer_id= needs the key or that payer's session; a session alone
    // is its payer's table
    {"GET", "/v1/pricing_table", Access::kPublicUnlessPayer, GetPricingTable},
    {"GET", "/v1/overview", Access::kSecretKey, GetOverview},  // ?days=&test_clock=
    {"GET", "/v1/catalog", Access::kSecretKey, GetCatalog},
    {"POST", "/v1/test_clocks", Access::kSecretKey, CreateTestClock},
    // the console's test clock list
    {"GET", "/v1/test_clocks", Access::kSecretKey, ListTestClocks},  // ?limit=&starting_after=
    {"GET", "/v1/test_clocks/{id}", Access::kSecretKey, GetTestClock},
    {"DELETE", "/v1/test_clocks/{id}", Access::kSecretKey, DeleteTestClock},
    {"POST", "/v1/test_clocks/{id}/advance", Access::kSecretKey, AdvanceTestClock},
    {"GET", "/v1/webhook_endpoints/{id}/attempts", Access::kSecretKey, ListWebhookAttempts},
    {"POST", "/v1/webhook_endpoints", Access::kSecretKey, CreateWebhookEndpoint},
    {"GET", "/v1/webhook_endpoints", Access::kSecretKey, ListWebhookEndpoints},
    {"GET", "/v1/webhook_endpoints/{id}", Access::kSecretKey, GetWebhookEndpoint},
    {"PATCH", "/v1/webhook_endpoints/{id}", Access::kSecretKey, UpdateWebhookEndpoint},
    {"DELETE", "/v1/webhook_endpoints/{id}", Access::kSecretKey, DeleteWebhookEndpoint},
    {"POST", "/v1/webhook_endpoints/{id}/recover", Access::kSecretKey, RecoverWebhooks},
    {"POST", "/v1/webhook_endpoints/{id}/resend", Access::kSecretKey, ResendWebhook},
    {"POST", "/v1/webhook_endpoints/{id}/rotate_secret", Access::kSecretKey, RotateWebhookSecret},
    // Clerk's Backend API (docs/clerk-compatibility.md); {user_id} and {org_id} are payers'
    // external ids.
    {"GET", "/v1/billing/plans", Access::kSecretKey, ClerkListPlans, ErrorFormat::kClerk},
    {"GET", "/v1/users/{user_id}/billing/subscription", Access::kSecretKey,
     ClerkGetUserSubscription, ErrorFormat::kClerk},
    {"GET", "/v1/organizations/{org_id}/billing/subscription", Access::kSecretKey,
     ClerkGetOrganizationSubscription, ErrorFormat::kClerk},
    {"DELETE", "/v1/billing/subscription_items/{id}", Access::kSecretKey,
     ClerkCancelSubscriptionItem, ErrorFormat::kClerk},  // ?end_now=
    {"POST", "/v1/billing/subscription_items/{id}/extend_free_trial", Access::kSecretKey,
     ClerkExtendFreeTrial, ErrorFormat::kClerk},
};

// Adds every route of kApiRoutes to `server`, its handler calling `services`, and has the server
// check payer sessions with services.sessions and console sessions with
// services.console_sessions.
void AddApiRoutes(HttpServer& server, const ApiServices& services);

// The JSON answer of a catalog reload, also logged on SIGHUP.
nlohmann::json ReloadOutcomeJson(const ReloadOutcome& outcome);

}  // namespace recur
