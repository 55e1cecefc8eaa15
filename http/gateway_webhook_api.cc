// The payment gateway's webhooks over HTTP (billing_api.h): Stripe's events, verified by their
// signature (the route is public: the signature is the credential), applied once per event id,
// the id recorded in the same transaction as the event's effect.
#include <csignal>
#include <optional>

#include "http/billing_api.h"
#include "store/gateway_event_scope.h"

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
  const bool deduplicated = api.gateway_events != nullptr && !said.id.empty();
  if (deduplicated) {
    auto applied = api.gateway_events->GatewayEventApplied(said.id);
    if (!applied) return std::unexpected(applied.error());
    if (*applied) return Received(&said, "duplicate");
  }
  // The event's id is recorded in the transaction of the change it makes (gateway_event_scope.h):
  // a crash after that commit finds it recorded on redelivery, one before it finds neither.
  std::optional<GatewayEventScope> scope;
  if (deduplicated) scope.emplace(said.id, said.type, api.clock.Now());
  auto applied = api.billing.ApplyNotice(said);
  const bool recorded = scope && scope->recorded();
  scope.reset();
  if (!applied) {
    const Error& error = applied.error();
    // Another delivery of the same event applied it since it was looked up above.
    if (error.code == "gateway_event_applied") return Received(&said, "duplicate");
    // About a payer or an attempt this Recur does not hold (another installation sharing the
    // Stripe account): acknowledged, or Stripe would deliver it again for days.
    if (error.kind != ErrorKind::kNotFound) return std::unexpected(error);
    return Received(&said, "ignored");
  }
  if (recorded && api.kill_before_gateway_event_answer) std::raise(SIGKILL);
  // An event that changed nothing (settled already, still pending, a card as it stands) is
  // recorded on its own, so its redelivery is a duplicate too.
  if (deduplicated && !recorded) {
    if (Status kept = api.gateway_events->RecordGatewayEvent(said.id, said.type, api.clock.Now());
        !kept) {
      return std::unexpected(kept.error());
    }
  }
  return Received(&said, EffectName(applied->effect));
}

}  // namespace recur
