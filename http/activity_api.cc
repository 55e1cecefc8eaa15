// Payment attempts and events over HTTP, newest first (billing_api.h).
#include "domain/events/billing_json.h"
#include "http/billing_api.h"
#include "http/list_params.h"

namespace recur {

using nlohmann::json;

Result<ApiResponse> ListPaymentAttempts(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {"payer_id", "limit", "starting_after"});
      !known) {
    return std::unexpected(known.error());
  }
  const std::string payer_id(request.Query("payer_id"));
  if (payer_id.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "missing_parameter", "payer_id is required",
                     "payer_id");
  }
  BillingService& billing = api.billing;
  auto options = ReadListOptions(request);
  auto account = billing.GetAccount(payer_id);
  if (!options || !account) return std::unexpected(!options ? options.error() : account.error());
  auto page = billing.ListPaymentAttempts(payer_id, *options);
  if (!page) return std::unexpected(page.error());
  const std::shared_ptr<const Catalog> catalog = billing.catalog();
  const RenderContext render = billing.RenderContextFor(*account, *catalog);
  json data = json::array();
  for (const PaymentAttempt& attempt : page->data) {
    data.push_back(PaymentAttemptJson(attempt, render, account->FindItem(attempt.item_id)));
  }
  return JsonResponse(ListJson(std::move(data), page->has_more));
}

Result<ApiResponse> ListEvents(const ApiServices& api, const ApiRequest& request) {
  if (auto known =
          RejectUnknownQueryParams(request, {"payer_id", "type", "limit", "starting_after"});
      !known) {
    return std::unexpected(known.error());
  }
  const std::string type(request.Query("type"));
  if (!type.empty() && !ParseEventType(type)) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "type must be a Clerk billing event type such as subscriptionItem.active",
                     "type");
  }
  auto options = ReadListOptions(request);
  if (!options) return std::unexpected(options.error());
  const std::string payer_id(request.Query("payer_id"));
  if (!payer_id.empty()) {
    if (auto account = api.billing.GetAccount(payer_id); !account) {
      return std::unexpected(account.error());
    }
  }
  auto page = api.billing.ListEvents(payer_id, type, *options);
  if (!page) return std::unexpected(page.error());
  json data = json::array();
  for (const StoredEvent& event : page->data) {
    json envelope = json::parse(event.body);
    envelope["id"] = event.id;
    envelope["payer_id"] = event.payer_id;
    data.push_back(std::move(envelope));
  }
  return JsonResponse(ListJson(std::move(data), page->has_more));
}

}  // namespace recur
