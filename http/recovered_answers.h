// The answers of keyed POSTs whose change committed but whose answer was never kept, because
// the server died in between (idempotent_request.h): rendered, as the route renders its answer,
// from what the change made (`made`, store/idempotency_store.h) as it stands now. A route
// without one here sets a state rather than adding one (an advance to a time, a reload,
// deliveries queued again), so its request simply runs again.
// The recoveries are defined beside their routes' handlers. Thread-safe as the handlers are.
#pragma once

#include <optional>
#include <string_view>

#include "http/billing_api.h"

namespace recur {

// The recovered answer of the POST route `route_pattern`; none when the route runs again.
std::optional<Result<ApiResponse>> RecoveredAnswer(const ApiServices& api,
                                                   std::string_view route_pattern,
                                                   const ApiRequest& request,
                                                   std::string_view made);

using RecoverRoute = Result<ApiResponse> (*)(const ApiServices&, const ApiRequest&,
                                             std::string_view made);

// The routes that have a recovery, by pattern (a unit test checks each is a POST of
// kApiRoutes).
struct RecoveredRoute {
  std::string_view pattern;
  RecoverRoute recover;
};

// payers_api.cc: the payer made; the payment method made; the item made or extended (a 402
// when its checkout charge was declined).
Result<ApiResponse> RecoverCreatePayer(const ApiServices&, const ApiRequest&, std::string_view);
Result<ApiResponse> RecoverAttachPaymentMethod(const ApiServices&, const ApiRequest&,
                                               std::string_view);
Result<ApiResponse> RecoverSubscribe(const ApiServices&, const ApiRequest&, std::string_view);
Result<ApiResponse> RecoverExtendFreeTrial(const ApiServices&, const ApiRequest&, std::string_view);
// test_clocks_api.cc: the clock made.
Result<ApiResponse> RecoverCreateTestClock(const ApiServices&, const ApiRequest&, std::string_view);
// webhook_endpoints_api.cc: the endpoint made or rotated, with its secret.
Result<ApiResponse> RecoverWebhookEndpointWithSecret(const ApiServices&, const ApiRequest&,
                                                     std::string_view);

inline constexpr RecoveredRoute kRecoveredRoutes[] = {
    {"/v1/payers", RecoverCreatePayer},
    {"/v1/payers/{id}/payment_methods", RecoverAttachPaymentMethod},
    {"/v1/payers/{id}/subscription_items", RecoverSubscribe},
    {"/v1/subscription_items/{id}/extend_free_trial", RecoverExtendFreeTrial},
    {"/v1/test_clocks", RecoverCreateTestClock},
    {"/v1/webhook_endpoints", RecoverWebhookEndpointWithSecret},
    {"/v1/webhook_endpoints/{id}/rotate_secret", RecoverWebhookEndpointWithSecret},
};

}  // namespace recur
