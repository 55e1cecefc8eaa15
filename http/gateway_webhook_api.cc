// The payment gateway's webhooks over HTTP (billing_api.h): Stripe's events, verified by their
// signature (the route is public: the signature is the credential), applied once per event id.
#include "http/billing_api.h"

namespace recur {
namespace {

using nlohmann::json;

std::string_view EffectName(NoticeEffect effect) {
  switch (effect) {
    case NoticeEffect::kSettled:
      return "settled";
    case NoticeEffect::kStillPending:
      return "still_pending";
    case NoticeEffect::kAlreadySettled:
      return "already_settled";
    case NoticeEffect::kIgnored:
      return "ignored";
    case NoticeEffect::kCardSaved:
      return "card_saved";
    case NoticeEffect::kCardForgotten:
      return "card_forgotten";
    case NoticeEffect::kCustomerForgotten:
      return "customer_forgotten";
    case NoticeEffect::kNothingToChange:
      return "nothing_to_change";
  }
  return "ignored";
}

ApiResponse Received(const GatewayNotice* notice, std::string_view effect) {
  json body = {{"received", true}, {"effect", effect}};
  if (notice != nullptr) {
    body["id"] = notice->id;
    body["type"] = notice->type;
  }
  return JsonResponse(body);
}

}  // namespace

Result<ApiResponse> ReceiveStripeWebhook(const ApiServices& api, const ApiRequest& request) {
  GatewayMessage message;
  if (request.headers != nullptr) {
    for (const auto& [name, value] : *request.headers) message.headers.emplace_back(name, value);
  }
  message.body = std::string(request.body);
  auto notice = api.billing.ReadGatewayNotice(message);
  if (!notice) {
    Error error = notice.error();
    // Stripe shows the answer in its dashboard and delivers again: a message that cannot be
    // verified or read is the sender's fault, 400, and changes nothing.
    if (error.kind == ErrorKind::kUnauthenticated) {
      error.kind = ErrorKind::kInvalidArgument;
      error.param = "Stripe-Signature";
    }
    return std::unexpected(error);
  }
  if (!*notice) return Received(nullptr, "ignored");
  const GatewayNotice& said = **notice;
  if (api.gateway_events != nullptr && !said.id.empty()) {
    auto applied = api.gateway_events->GatewayEventApplied(said.id);
    if (!applied) return std::unexpected(applied.error());
    if (*applied) return Received(&said, "duplicate");
  }
  auto applied = api.billing.ApplyNotice(said);
  if (!applied) {
    const Error& error = applied.error();
    // About a payer or an attempt this Recur does not hold (another installation sharing the
    // Stripe account): acknowledged, or Stripe would deliver it again for days.
    if (error.kind != ErrorKind::kNotFound) return std::unexpected(error);
    return Received(&said, "ignored");
  }
  if (api.gateway_events != nullptr && !said.id.empty()) {
    if (Status recorded =
            api.gateway_events->RecordGatewayEvent(said.id, said.type, api.clock.Now());
        !recorded) {
      return std::unexpected(recorded.error());
    }
  }
  return Received(&said, EffectName(applied->effect));
}

}  // namespace recur
