// Payment attempts and events over HTTP, newest first (billing_api.h).
#include "domain/events/billing_json.h"
#include "http/billing_api.h"

#include <charconv>

namespace recur {
namespace {

using nlohmann::json;

Result<ListOptions> ReadListOptions(const httplib::Request& request) {
  ListOptions options;
  if (request.has_param("limit")) {
    const std::string text = request.get_param_value("limit");
    int limit = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (error != std::errc() || end != text.data() + text.size() || limit < 1 || limit > 100) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                       "limit must be an integer from 1 to 100", "limit");
    }
    options.limit = limit;
  }
  options.starting_after = request.get_param_value("starting_after");
  return options;
}

json ListJson(json data, bool has_more) {
  return {{"object", "list"}, {"data", std::move(data)}, {"has_more", has_more}};
}

void ListPaymentAttempts(BillingService& billing, const ApiRequest& request,
                         httplib::Response& response) {
  if (auto known = RejectUnknownQueryParams(request.http, {"payer_id", "limit", "starting_after"});
      !known) {
    SendError(response, known.error());
    return;
  }
  const std::string payer_id = request.http.get_param_value("payer_id");
  if (payer_id.empty()) {
    SendError(response, {ErrorKind::kInvalidArgument, "missing_parameter", "payer_id is required",
                         "payer_id"});
    return;
  }
  auto options = ReadListOptions(request.http);
  auto account = billing.GetAccount(payer_id);
  if (!options || !account) {
    SendError(response, !options ? options.error() : account.error());
    return;
  }
  auto page = billing.store().ListPaymentAttempts(payer_id, *options);
  if (!page) {
    SendError(response, page.error());
    return;
  }
  const RenderContext render{*billing.catalog(), account->payer, account->payment_methods,
                             billing.instance_id()};
  json data = json::array();
  for (const PaymentAttempt& attempt : page->data) {
    data.push_back(PaymentAttemptJson(attempt, render, account->FindItem(attempt.item_id)));
  }
  SendJson(response, 200, ListJson(std::move(data), page->has_more));
}

void ListEvents(BillingService& billing, const ApiRequest& request, httplib::Response& response) {
  if (auto known =
          RejectUnknownQueryParams(request.http, {"payer_id", "type", "limit", "starting_after"});
      !known) {
    SendError(response, known.error());
    return;
  }
  const std::string type = request.http.get_param_value("type");
  if (!type.empty() && !ParseEventType(type)) {
    SendError(response, {ErrorKind::kInvalidArgument, "invalid_parameter",
                         "type must be a Clerk billing event type such as "
                         "subscriptionItem.active",
                         "type"});
    return;
  }
  auto options = ReadListOptions(request.http);
  if (!options) {
    SendError(response, options.error());
    return;
  }
  const std::string payer_id = request.http.get_param_value("payer_id");
  if (!payer_id.empty()) {
    if (auto account = billing.GetAccount(payer_id); !account) {
      SendError(response, account.error());
      return;
    }
  }
  auto page = billing.store().ListEvents(payer_id, type, *options);
  if (!page) {
    SendError(response, page.error());
    return;
  }
  json data = json::array();
  for (const StoredEvent& event : page->data) {
    json envelope = json::parse(event.body);
    envelope["id"] = event.id;
    envelope["payer_id"] = event.payer_id;
    data.push_back(std::move(envelope));
  }
  SendJson(response, 200, ListJson(std::move(data), page->has_more));
}

}  // namespace

void AddActivityRoutes(HttpServer& server, BillingService& billing) {
  server.Route("GET", "/v1/payment_attempts", Access::kSecretKey,
               [&billing](const ApiRequest& request, httplib::Response& response) {
                 ListPaymentAttempts(billing, request, response);
               });
  server.Route("GET", "/v1/events", Access::kSecretKey,
               [&billing](const ApiRequest& request, httplib::Response& response) {
                 ListEvents(billing, request, response);
               });
}

}  // namespace recur
