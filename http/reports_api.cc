// The operator's reports over HTTP (billing_api.h): the overview of revenue and trials, and the
// whole catalog with archived plans and every price version.
#include <algorithm>
#include <charconv>

#include "base/money.h"
#include "domain/events/plan_json.h"
#include "http/billing_api.h"

namespace recur {
namespace {

using nlohmann::json;

json AmountsJson(const std::vector<CurrencyAmount>& amounts) {
  json list = json::array();
  for (const CurrencyAmount& amount : amounts) {
    const Currency currency =
        FindCurrency(amount.currency).value_or(Currency{amount.currency, 2, amount.currency});
    list.push_back({{"currency", amount.currency},
                    {"amount", amount.amount},
                    {"amount_formatted", FormatMoney(amount.amount, currency)}});
  }
  return list;
}

json OverviewJson(const OperatorOverview& overview) {
  const Overview& figures = overview.figures;
  json series = json::array();
  for (const OverviewDay& day : figures.series) {
    series.push_back({{"date", day.date},
                      {"mrr", AmountsJson(day.mrr)},
                      {"signups", day.signups},
                      {"conversions", day.conversions}});
  }
  return {{"object", "overview"},
          {"as_of", ToUnixMillis(figures.as_of)},
          {"days", figures.days},
          {"mrr", AmountsJson(figures.mrr)},
          {"paying_payers", figures.paying_payers},
          {"active_trials", figures.active_trials},
          {"past_due_payers", figures.past_due_payers},
          {"trial_conversion",
           {{"trials_ended", figures.trials_ended}, {"converted", figures.trials_converted}}},
          {"failing_webhook_endpoints", overview.failing_webhook_endpoints},
          {"series", std::move(series)}};
}

// `days`, 30 when not given.
Result<int> ReadDays(const ApiRequest& request) {
  if (!request.HasQuery("days")) return 30;
  const std::string_view text = request.Query("days");
  int days = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), days);
  if (error != std::errc() || end != text.data() + text.size() || days < 1 ||
      days > kMaxOverviewDays) {
    return MakeError(
        ErrorKind::kInvalidArgument, "invalid_parameter",
        "days must be a whole number of days from 1 to " + std::to_string(kMaxOverviewDays),
        "days");
  }
  return days;
}

// The order of the catalog: payer type, plans in force before archived ones, cheapest first,
// then by slug.
bool ComesFirst(const Catalog& catalog, const CatalogPlan* a, const CatalogPlan* b) {
  const auto key = [&catalog](const CatalogPlan* plan) {
    return std::tuple(plan->definition.payer_type, plan->archived_at.has_value(),
                      catalog.CurrentVersion(*plan).amount,
                      std::string_view(plan->definition.slug));
  };
  return key(a) < key(b);
}

json CatalogJson(const Catalog& catalog) {
  std::vector<const CatalogPlan*> plans;
  for (const CatalogPlan& plan : catalog.plans()) plans.push_back(&plan);
  std::ranges::sort(plans, [&catalog](const CatalogPlan* a, const CatalogPlan* b) {
    return ComesFirst(catalog, a, b);
  });
  json list = json::array();
  for (const CatalogPlan* plan : plans) {
    json entry = PlanJson(*plan, catalog.CurrentVersion(*plan));
    entry["archived_at"] =
        plan->archived_at ? json(ToUnixMillis(*plan->archived_at)) : json(nullptr);
    std::vector<const PlanVersion*> versions;
    for (const PlanVersion& version : catalog.versions()) {
      if (version.plan_slug == plan->definition.slug) versions.push_back(&version);
    }
    std::ranges::sort(versions, {}, &PlanVersion::version);
    json versions_json = json::array();
    for (const PlanVersion* version : versions) {
      versions_json.push_back(
          {{"id", version->id},
           {"version", version->version},
           {"amount", version->amount},
           {"annual_amount",
            version->annual_amount ? json(*version->annual_amount) : json(nullptr)},
           {"currency", version->currency},
           {"created_at", ToUnixMillis(version->created_at)}});
    }
    entry["versions"] = std::move(versions_json);
    list.push_back(std::move(entry));
  }
  return {{"object", "catalog"}, {"plans", std::move(list)}};
}

}  // namespace

Result<ApiResponse> GetOverview(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {"days", "test_clock"}); !known) {
    return std::unexpected(known.error());
  }
  auto days = ReadDays(request);
  if (!days) return std::unexpected(days.error());
  std::optional<std::string> test_clock;
  if (request.HasQuery("test_clock")) test_clock = std::string(request.Query("test_clock"));
  return AnswerJson(api.overview.Compute(*days, test_clock), OverviewJson);
}

Result<ApiResponse> GetCatalog(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {}); !known) {
    return std::unexpected(known.error());
  }
  return JsonResponse(CatalogJson(*api.catalog.Current()));
}

}  // namespace recur
