// Payers, payment methods and subscription changes over HTTP (billing_api.h).
#include "domain/events/billing_json.h"
#include "domain/subscriptions/card_changes.h"
#include "domain/webhooks/url_policy.h"
#include "http/api_error.h"
#include "http/billing_api.h"
#include "http/body_reader.h"
#include "http/end_now_param.h"
#include "http/list_params.h"
#include "http/recovered_answers.h"
#include "http/request_framing.h"

namespace recur {
namespace {

using nlohmann::json;

json PayerObject(const Account& account) {
  const Payer& payer = account.payer;
  return {
      {"id", payer.id},
      {"object", "payer"},
      {"external_id", payer.external_id},
      {"type", PayerTypeName(payer.type)},
      {"email", payer.email},
      {"name", payer.name},
      {"image_url", payer.image_url},
      {"subscription_id", payer.subscription_id},
      {"trial_used", payer.trial_used},
      {"has_paid", payer.has_paid},
      {"default_payment_method_id",
       payer.default_payment_method_id ? json(*payer.default_payment_method_id) : json(nullptr)},
      {"test_clock", payer.test_clock_id ? json(*payer.test_clock_id) : json(nullptr)},
      {"created_at", ToUnixMillis(payer.created_at)}};
}

json PaymentMethodObject(const PaymentMethod& method, const Account& account) {
  return {{"id", method.id},
          {"object", "payment_method"},
          {"payer_id", account.payer.id},
          {"brand", method.brand},
          {"last4", method.last4},
          {"exp_month", method.exp_month},
          {"exp_year", method.exp_year},
          {"is_default", account.payer.default_payment_method_id == method.id},
          {"created_at", ToUnixMillis(method.created_at)}};
}

json ItemObject(const Account& account, const std::string& item_id, const Catalog& catalog,
                std::string_view instance_id) {
  const RenderContext render{catalog, account.payer, account.payment_methods, instance_id};
  const SubscriptionItem* item = account.FindItem(item_id);
  return item == nullptr ? json(nullptr) : SubscriptionItemJson(*item, render);
}

// A payer's image_url: "" (none), or an https URL of at most kMaxWebhookUrlLength characters
// that parses as a webhook endpoint's would (a host, no credentials, no fragment).
Status CheckImageUrl(const std::string& url) {
  if (url.empty()) return Ok();
  auto parsed = ParseWebhookUrl(url);
  if (!parsed || parsed->scheme != "https") {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "image_url must be an https:// URL of at most " +
                         std::to_string(kMaxWebhookUrlLength) + " characters" +
                         (parsed ? std::string(", not http://") : ": " + parsed.error().message),
                     "image_url");
  }
  return Ok();
}

// The longest query the payer search takes: as long as the longest email a payer may have.
constexpr std::size_t kMaxPayerQueryBytes = 320;

// What a list of payers shows of a payer's current item (Account::CurrentItem): null when it
// has none.
json CurrentItemSummary(const Account& account, const Catalog& catalog) {
  const SubscriptionItem* item = account.CurrentItem();
  if (item == nullptr) return nullptr;
  const CatalogPlan* plan = catalog.FindPlan(item->plan_slug);
  auto millis = [](const std::optional<Instant>& at) {
    return at ? json(ToUnixMillis(*at)) : json(nullptr);
  };
  return {{"id", item->id},
          {"plan_slug", item->plan_slug},
          {"plan_name", plan != nullptr ? json(plan->definition.name) : json(nullptr)},
          {"status", ItemStatusName(item->status)},
          {"trial_ends_at", item->is_free_trial ? millis(item->trial_end) : json(nullptr)},
          {"period_end", millis(item->period_end)}};
}

Result<NewPayer> ReadNewPayer(const ApiRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  NewPayer payer;
  payer.external_id = reader.String("external_id", true, 255).value_or("");
  const std::string type = reader.String("type", true, 10).value_or("user");
  payer.email = reader.String("email", true, 320).value_or("");
  payer.name = reader.String("name", false, 255).value_or("");
  payer.image_url = reader.String("image_url", false, kMaxWebhookUrlLength).value_or("");
  payer.test_clock = reader.String("test_clock", false, 100);
  if (auto done =
          reader.Finish({"external_id", "type", "email", "name", "image_url", "test_clock"});
      !done) {
    return std::unexpected(done.error());
  }
  if (auto image = CheckImageUrl(payer.image_url); !image) return std::unexpected(image.error());
  auto parsed_type = ParsePayerType(type);
  if (!parsed_type) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "type must be \"user\" or \"org\"", "type");
  }
  payer.type = *parsed_type;
  return payer;
}

// The answer to a change: the item, or a 402 naming the declined checkout.
Result<ApiResponse> AnswerChange(BillingService& billing, const Result<AccountChange>& outcome) {
  if (!outcome) return std::unexpected(outcome.error());
  json item =
      ItemObject(outcome->account, outcome->item_id, *billing.catalog(), billing.instance_id());
  if (outcome->declined) {
    const PaymentAttempt& attempt = *outcome->declined;
    return ErrorResponse({ErrorKind::kPaymentFailed, "payment_declined",
                          "the payment was declined: " + attempt.failed_reason +
                              " The item is left incomplete and the payer keeps the current plan."},
                         {{"subscription_item", item},
                          {"payment_attempt_id", attempt.id},
                          {"failed_reason", attempt.failed_reason}});
  }
  return JsonResponse(item);
}

Result<SubscribeRequest> ReadSubscribeRequest(const ApiRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  SubscribeRequest subscribe;
  subscribe.plan = reader.String("plan", true, 100).value_or("");
  const std::string interval = reader.String("interval", false, 20).value_or("month");
  subscribe.free_trial = reader.Bool("free_trial");
  if (auto done = reader.Finish({"plan", "interval", "free_trial"}); !done) {
    return std::unexpected(done.error());
  }
  auto parsed = ParseInterval(interval);
  if (!parsed) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "interval must be \"month\" or \"annual\"", "interval");
  }
  subscribe.interval = *parsed;
  return subscribe;
}

}  // namespace

Result<ApiResponse> CreatePayer(const ApiServices& api, const ApiRequest& request) {
  auto payer = ReadNewPayer(request);
  if (!payer) return std::unexpected(payer.error());
  return AnswerJson(api.billing.CreatePayer(*payer), PayerObject);
}

Result<ApiResponse> ListPayers(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {"query", "limit", "starting_after"});
      !known) {
    return std::unexpected(known.error());
  }
  const std::string query(request.Query("query"));
  // (The server refuses a query parameter that is not UTF-8 before any handler runs; the
  // check stays here since the stores' ranges need UTF-8.)
  if (query.size() > kMaxPayerQueryBytes || !IsValidUtf8(query)) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "query must be UTF-8 text of at most " + std::to_string(kMaxPayerQueryBytes) +
                         " bytes: a payer id, or the start of an external id or an email",
                     "query");
  }
  auto options = ReadListOptions(request);
  if (!options) return std::unexpected(options.error());
  auto page = api.billing.ListPayers(query, *options);
  if (!page) return std::unexpected(page.error());
  const std::shared_ptr<const Catalog> catalog = api.billing.catalog();
  json data = json::array();
  for (const Account& account : page->data) {
    json entry = PayerObject(account);
    entry["current_item"] = CurrentItemSummary(account, *catalog);
    data.push_back(std::move(entry));
  }
  return JsonResponse(ListJson(std::move(data), page->has_more));
}

Result<ApiResponse> GetPayer(const ApiServices& api, const ApiRequest& request) {
  return AnswerJson(api.billing.GetAccount(request.path_params[0]), PayerObject);
}

Result<ApiResponse> AttachPaymentMethod(const ApiServices& api, const ApiRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  // `payment_method` (the gateway's id, or a saved card's cpm_ id), or its older synonym `token`.
  const bool named = body->is_object() && body->contains("payment_method");
  if (named && body->contains("token")) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "payment_method and token are synonyms: send one of them", "token");
  }
  const char* field = named ? "payment_method" : "token";
  BodyReader reader(*body);
  const std::string token = reader.String(field, true, 255).value_or("");
  const bool make_default = reader.Bool("default").value_or(false);
  if (auto done = reader.Finish({field, "default"}); !done) return std::unexpected(done.error());
  const std::string& payer_id = request.path_params[0];
  auto method = api.billing.AddPaymentMethod(payer_id, token, make_default);
  if (!method) return std::unexpected(method.error());
  auto account = api.billing.GetAccount(payer_id);
  if (!account) return std::unexpected(account.error());
  return JsonResponse(PaymentMethodObject(*method, *account));
}

Result<ApiResponse> ListPaymentMethods(const ApiServices& api, const ApiRequest& request) {
  auto account = api.billing.GetAccount(request.path_params[0]);
  if (!account) return std::unexpected(account.error());
  json methods = json::array();
  for (const PaymentMethod& method : account->payment_methods) {
    methods.push_back(PaymentMethodObject(method, *account));
  }
  return JsonResponse(ListJson(std::move(methods), false));
}

Result<ApiResponse> StartCardSetup(const ApiServices& api, const ApiRequest& request) {
  if (auto body = ParseJsonBody(request); !body) {
    return std::unexpected(body.error());
  } else if (auto done = BodyReader(*body).Finish({}); !done) {
    return std::unexpected(done.error());
  }
  auto setup = api.billing.StartCardSetup(request.path_params[0]);
  if (!setup) return std::unexpected(setup.error());
  return JsonResponse(
      {{"id", setup->id}, {"object", "card_setup"}, {"client_secret", setup->client_secret}});
}

Result<ApiResponse> DetachPaymentMethod(const ApiServices& api, const ApiRequest& request) {
  const std::string& payer_id = request.path_params[0];
  const std::string& method = request.path_params[1];
  auto account = api.billing.GetAccount(payer_id);
  if (!account) return std::unexpected(account.error());
  const PaymentMethod* found = FindPaymentMethod(*account, method);
  if (found == nullptr) {
    return MakeError(ErrorKind::kNotFound, "payment_method_not_found",
                     "payer " + payer_id + " has no payment method " + method, "payment_method");
  }
  const std::string method_id = found->id;
  if (Status done = api.billing.RemovePaymentMethod(payer_id, method_id); !done) {
    return std::unexpected(done.error());
  }
  return JsonResponse(
      {{"id", method_id}, {"object", "payment_method"}, {"payer_id", payer_id}, {"deleted", true}});
}

Result<ApiResponse> GetSubscription(const ApiServices& api, const ApiRequest& request) {
  BillingService& billing = api.billing;
  auto account = billing.GetAccount(request.path_params[0]);
  if (!account) return std::unexpected(account.error());
  std::vector<SubscriptionItem> live;
  for (const SubscriptionItem& item : account->items) {
    if (IsLiveStatus(item.status)) live.push_back(item);
  }
  const RenderContext render{*billing.catalog(), account->payer, account->payment_methods,
                             billing.instance_id()};
  json subscription = SubscriptionJson(live, render, SubscriptionStatusName(*account));
  subscription["object"] = "subscription";
  subscription["payer_id"] = account->payer.id;
  for (json& item : subscription["items"]) item["object"] = "subscription_item";
  return JsonResponse(subscription);
}

Result<ApiResponse> Subscribe(const ApiServices& api, const ApiRequest& request) {
  auto subscribe = ReadSubscribeRequest(request);
  if (!subscribe) return std::unexpected(subscribe.error());
  return AnswerChange(api.billing, api.billing.Subscribe(request.path_params[0], *subscribe));
}

Result<ApiResponse> CancelItem(const ApiServices& api, const ApiRequest& request) {
  auto end_now = ReadEndNow(request);
  if (!end_now) return std::unexpected(end_now.error());
  return AnswerChange(api.billing, api.billing.Cancel(request.path_params[0], *end_now));
}

Result<ApiResponse> ExtendFreeTrial(const ApiServices& api, const ApiRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  auto extend_to = reader.Integer("extend_to", true, 0, kLatestUnixMillis);
  if (auto done = reader.Finish({"extend_to"}); !done) return std::unexpected(done.error());
  return AnswerChange(api.billing,
                      api.billing.ExtendTrial(request.path_params[0], FromUnixMillis(*extend_to)));
}

Result<ApiResponse> RecoverCreatePayer(const ApiServices& api, const ApiRequest&,
                                       std::string_view made) {
  return AnswerJson(api.billing.GetAccount(std::string(made)), PayerObject);
}

Result<ApiResponse> RecoverAttachPaymentMethod(const ApiServices& api, const ApiRequest& request,
                                               std::string_view made) {
  auto account = api.billing.GetAccount(request.path_params[0]);
  if (!account) return std::unexpected(account.error());
  for (const PaymentMethod& method : account->payment_methods) {
    if (method.id == made) return JsonResponse(PaymentMethodObject(method, *account));
  }
  return MakeError(ErrorKind::kInternal, "idempotency_key_outcome_lost",
                   "the payment method this key made (" + std::string(made) + ") is not stored");
}

// The answer to a change of `item_id` made before a crash, as AnswerChange gave it: the item,
// or a 402 when its checkout charge was declined.
Result<ApiResponse> RecoveredChange(BillingService& billing, const std::string& payer_id,
                                    const std::string& item_id) {
  auto account = billing.GetAccount(payer_id);
  if (!account) return std::unexpected(account.error());
  AccountChange change{std::move(*account), item_id, std::nullopt};
  const SubscriptionItem* item = change.account.FindItem(item_id);
  if (item != nullptr && item->status == ItemStatus::kIncomplete) {
    auto attempts = billing.ListPaymentAttempts(payer_id, {});
    if (!attempts) return std::unexpected(attempts.error());
    for (const PaymentAttempt& attempt : attempts->data) {
      if (attempt.item_id != item_id) continue;
      if (attempt.status == AttemptStatus::kFailed) change.declined = attempt;
      break;  // the newest attempt of the item says how its checkout ended
    }
  }
  return AnswerChange(billing, change);
}

Result<ApiResponse> RecoverSubscribe(const ApiServices& api, const ApiRequest& request,
                                     std::string_view made) {
  return RecoveredChange(api.billing, request.path_params[0], std::string(made));
}

Result<ApiResponse> RecoverExtendFreeTrial(const ApiServices& api, const ApiRequest& request,
                                           std::string_view) {
  const std::string& item_id = request.path_params[0];
  auto payer_id = api.billing.PayerOfItem(item_id);
  if (!payer_id) return std::unexpected(payer_id.error());
  return RecoveredChange(api.billing, *payer_id, item_id);
}

}  // namespace recur
