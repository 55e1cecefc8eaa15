// GET /v1/pricing_table (public): the visible plans and, for one payer (payer_id) or for a new
// payer of a type (payer_type), which plan is current or upcoming and what each plan's button
// would do (plan_choices.h). The plans are the texts rendered once per catalog snapshot
// (rendered_catalog.h); only the payer's part is rendered per request.
#include "billing/api/billing_api.h"
#include "billing/subscriptions/plan_choices.h"

namespace recur {
namespace {

using nlohmann::json;

json ChoiceJson(const PlanChoice& choice, const std::string& currency) {
  json answer = {
      {"interval", IntervalName(choice.interval)},
      {"action", ChoiceActionName(choice.action)},
      {"amount_due_now", choice.amount_due_now},
      {"proration_credit", choice.proration_credit},
      {"currency", currency},
      {"takes_effect_at",
       choice.takes_effect_at ? json(ToUnixMillis(*choice.takes_effect_at)) : json(nullptr)},
      {"requires_payment_method", choice.requires_payment_method},
      {"unavailable_reason", choice.reason.empty() ? json(nullptr) : json(choice.reason)}};
  return answer;
}

// A payer that does not exist yet, as it would be right after creation.
Result<Account> NewPayerPreview(PayerType type, const Catalog& catalog,
                                const LifecycleOptions& options, Instant now) {
  Account account;
  account.payer.id = "cpayer_preview";
  account.payer.type = type;
  account.payer.created_at = now;
  SeededIdGenerator ids(0);
  auto started = StartPayer(account, {catalog, ids, options, now});
  if (!started) return std::unexpected(started.error());
  return account;
}

void PricingTable(BillingService& billing, RenderedCatalogs& rendered_catalogs, const Clock& clock,
                  const ApiRequest& request, httplib::Response& response) {
  if (auto known = RejectUnknownQueryParams(request.http, {"payer_id", "payer_type"}); !known) {
    SendError(response, known.error());
    return;
  }
  const std::shared_ptr<const RenderedCatalog> rendered = rendered_catalogs.Current();
  const Catalog& catalog = *rendered->catalog;
  const Instant now = clock.Now();
  Result<Account> account = MakeError(ErrorKind::kInvalidArgument, "missing_parameter",
                                      "give payer_id, or payer_type for a new payer", "payer_id");
  if (request.http.has_param("payer_id")) {
    account = billing.GetAccount(request.http.get_param_value("payer_id"));
  } else if (request.http.has_param("payer_type")) {
    auto type = ParsePayerType(request.http.get_param_value("payer_type"));
    account = type ? NewPayerPreview(*type, catalog, billing.options(), now)
                   : MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                               "payer_type must be \"user\" or \"org\"", "payer_type");
  }
  if (!account) {
    SendError(response, account.error());
    return;
  }
  const SubscriptionItem* current = account->CurrentItem();
  const SubscriptionItem* upcoming = account->UpcomingItem();
  std::vector<std::string> plans;
  for (const CatalogPlan* plan : catalog.VisiblePlans(account->payer.type)) {
    const PlanVersion& price = catalog.CurrentVersion(*plan);
    json choices = json::array();
    for (const PlanChoice& choice :
         DescribeChoices(*account, *plan, catalog, billing.options(), now)) {
      choices.push_back(ChoiceJson(choice, price.currency));
    }
    const json entry = {
        {"current", current != nullptr && current->plan_slug == plan->definition.slug},
        {"upcoming", upcoming != nullptr && upcoming->plan_slug == plan->definition.slug},
        {"choices", std::move(choices)}};
    plans.push_back(
        WithMemberText(entry.dump(), "plan", rendered->plan_text.at(plan->definition.slug)));
  }
  const bool preview = !request.http.has_param("payer_id");
  const Payer& payer = account->payer;
  const json table = {
      {"object", "pricing_table"},
      {"payer_id", preview ? json(nullptr) : json(payer.id)},
      {"payer_type", PayerTypeName(payer.type)},
      {"current_item_id", current != nullptr && !preview ? json(current->id) : json(nullptr)},
      {"upcoming_item_id", upcoming != nullptr && !preview ? json(upcoming->id) : json(nullptr)},
      {"trial_eligible", !payer.trial_used && !payer.has_paid}};
  response.status = 200;
  response.set_content(WithMemberText(table.dump(), "data", ArrayText(plans)), "application/json");
}

}  // namespace

void AddPricingTableRoute(HttpServer& server, BillingService& billing,
                          RenderedCatalogs& rendered_catalogs, const Clock& clock) {
  server.Route("GET", "/v1/pricing_table", Access::kPublic,
               [&billing, &rendered_catalogs, &clock](const ApiRequest& request,
                                                      httplib::Response& response) {
                 PricingTable(billing, rendered_catalogs, clock, request, response);
               });
}

}  // namespace recur
