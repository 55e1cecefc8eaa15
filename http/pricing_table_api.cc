// GET /v1/pricing_table (public): the visible plans and, for one payer (payer_id, or the payer of
// the session the request came with) or for a new payer of a type (payer_type), which plan is
// current or upcoming and what each plan's button would do (plan_choices.h). The plans are the
// texts rendered once per catalog snapshot (rendered_catalog.h); only the payer's part is rendered
// per request (pricing_table_text.h). It also names the payment gateway and, with Stripe, the
// publishable key, so that the browser's checkout knows how to take a card.
#include "domain/subscriptions/plan_choices.h"
#include "http/billing_api.h"
#include "http/pricing_table_text.h"

namespace recur {
namespace {

// Whether the table is a payer's own rather than a preview: a payer named by payer_id, or the
// payer of the session the request came with when it names no payer_type.
bool ForAPayer(const ApiRequest& request) {
  return request.HasQuery("payer_id") ||
         (!request.session_payer_id.empty() && !request.HasQuery("payer_type"));
}

// The payer the table is for: the one named by payer_id, the session's, or a preview of a new
// one of payer_type.
Result<Account> TablePayer(BillingService& billing, const Catalog& catalog,
                           const ApiRequest& request, Instant now) {
  if (request.HasQuery("payer_id")) {
    return billing.GetAccount(std::string(request.Query("payer_id")));
  }
  if (ForAPayer(request)) return billing.GetAccount(std::string(request.session_payer_id));
  if (request.HasQuery("payer_type")) {
    auto type = ParsePayerType(request.Query("payer_type"));
    if (!type) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                       "payer_type must be \"user\" or \"org\"", "payer_type");
    }
    return PreviewNewPayer(*type, catalog, billing.options(), now);
  }
  return MakeError(ErrorKind::kInvalidArgument, "missing_parameter",
                   "give payer_id, or payer_type for a new payer", "payer_id");
}

}  // namespace

Result<ApiResponse> GetPricingTable(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {"payer_id", "payer_type"}); !known) {
    return std::unexpected(known.error());
  }
  BillingService& billing = api.billing;
  const std::shared_ptr<const RenderedCatalog> rendered = api.rendered_catalogs.Current();
  const Catalog& catalog = *rendered->catalog;
  Result<Account> account = TablePayer(billing, catalog, request, api.clock.Now());
  if (!account) return std::unexpected(account.error());
  // A payer on a test clock lives at the clock's time; subscribing would happen then. (A
  // preview's payer has no test clock.)
  const Result<Instant> payer_now = billing.NowFor(account->payer.test_clock_id);
  if (!payer_now) return std::unexpected(payer_now.error());
  const SubscriptionItem* current = account->CurrentItem();
  const SubscriptionItem* upcoming = account->UpcomingItem();
  std::vector<std::string> plans;
  for (const CatalogPlan* plan : catalog.VisiblePlans(account->payer.type)) {
    const std::string& slug = plan->definition.slug;
    plans.push_back(PlanEntryText(
        {DescribeChoices(*account, *plan, catalog, billing.options(), *payer_now),
         catalog.CurrentVersion(*plan).currency, current != nullptr && current->plan_slug == slug,
         upcoming != nullptr && upcoming->plan_slug == slug, rendered->plan_text.at(slug)}));
  }
  const bool preview = !ForAPayer(request);
  const Payer& payer = account->payer;
  const auto shown_id = [preview](const SubscriptionItem* item) -> std::optional<std::string_view> {
    if (item == nullptr || preview) return std::nullopt;
    return item->id;
  };
  PricingTableHeader header{std::nullopt,
                            payer.type,
                            shown_id(current),
                            shown_id(upcoming),
                            EligibleForFreeTrial(payer),
                            api.gateway.name,
                            std::nullopt};
  if (!api.gateway.publishable_key.empty()) header.publishable_key = api.gateway.publishable_key;
  if (!preview) header.payer_id = payer.id;
  return JsonTextResponse(PricingTableText(header, plans));
}

}  // namespace recur
