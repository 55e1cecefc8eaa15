// The billing routes of Clerk's Backend API, as @clerk/backend's BillingAPI calls them
// (docs/clerk-compatibility.md): the plans list, a user's or an organization's subscription,
// canceling a subscription item and extending its free trial. They answer in Clerk's shapes
// (clerk_shapes.h) and error format (http/clerk_errors.h), and run on the same services as Recur's
// own routes (billing_api.h). A user's or organization's id is its payer's external_id; one
// with no payer yet is answered as it would be right after it is made (PreviewNewPayer): on
// the default plan, eligible for a trial, with nothing stored.
#include <limits>

#include "base/rfc3339.h"
#include "http/billing_api.h"
#include "http/body_reader.h"
#include "http/clerk/clerk_shapes.h"
#include "http/end_now_param.h"

namespace recur {
namespace {

using nlohmann::json;

// Clerk's limits of a page: 10 by default, 1 to 500.
constexpr std::int64_t kDefaultLimit = 10;
constexpr std::int64_t kMaxLimit = 500;

// The value of the whole-number query parameter `name` within [min, max]; `fallback` when the
// request does not give it.
Result<std::int64_t> IntegerParam(const ApiRequest& request, std::string_view name,
                                  std::int64_t min, std::int64_t max, std::int64_t fallback) {
  if (!request.HasQuery(name)) return fallback;
  const std::string text(request.Query(name));
  const auto invalid = [&] {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     std::string(name) + " must be a whole number from " + std::to_string(min) +
                         " to " + std::to_string(max) + "; it is \"" + text + "\"",
                     std::string(name));
  };
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return invalid();
  }
  const std::int64_t value = std::stoll(text);
  if (value < min || value > max) return invalid();
  return value;
}

// The subscription of the payer of `type` whose external id the path names; a preview of a new
// payer's when there is none.
Result<ApiResponse> SubscriptionOf(const ApiServices& api, const ApiRequest& request,
                                   PayerType type) {
  if (auto known = RejectUnknownQueryParams(request, {}); !known) {
    return std::unexpected(known.error());
  }
  BillingService& billing = api.billing;
  auto found = billing.FindAccount(type, request.path_params[0]);
  if (!found) return std::unexpected(found.error());
  const std::shared_ptr<const Catalog> catalog = billing.catalog();
  if (*found) {
    return JsonResponse(ClerkSubscriptionJson(**found, *catalog, billing.instance_id()));
  }
  auto preview = PreviewNewPayer(type, *catalog, billing.options(), api.clock.Now());
  if (!preview) return std::unexpected(preview.error());
  return JsonResponse(
      ClerkSubscriptionJson(*preview, *catalog, billing.instance_id(), /*stored=*/false));
}

// The item a change was about, in Clerk's shape.
Result<ApiResponse> AnswerItem(BillingService& billing, const Result<AccountChange>& change) {
  if (!change) return std::unexpected(change.error());
  const Account& account = change->account;
  const SubscriptionItem* item = account.FindItem(change->item_id);
  if (item == nullptr) {
    return MakeError(ErrorKind::kInternal, "item_lost",
                     "the item " + change->item_id + " is not in its payer's account");
  }
  const RenderContext render{*billing.catalog(), account.payer, account.payment_methods,
                             billing.instance_id()};
  return JsonResponse(ClerkSubscriptionItemJson(*item, render));
}

}  // namespace

Result<ApiResponse> ClerkListPlans(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {"payer_type", "limit", "offset"}); !known) {
    return std::unexpected(known.error());
  }
  std::optional<PayerType> type;
  if (request.HasQuery("payer_type")) {
    type = ParsePayerType(request.Query("payer_type"));
    if (!type) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                       "payer_type must be \"user\" or \"org\"", "payer_type");
    }
  }
  auto limit = IntegerParam(request, "limit", 1, kMaxLimit, kDefaultLimit);
  if (!limit) return std::unexpected(limit.error());
  auto offset = IntegerParam(request, "offset", 0, std::numeric_limits<std::int32_t>::max(), 0);
  if (!offset) return std::unexpected(offset.error());
  const std::shared_ptr<const Catalog> catalog = api.billing.catalog();
  std::vector<const CatalogPlan*> plans;
  for (const CatalogPlan& plan : catalog->plans()) {
    if (plan.archived_at) continue;  // no longer sold
    if (type && plan.definition.payer_type != *type) continue;
    plans.push_back(&plan);
  }
  json data = json::array();
  for (std::size_t i = static_cast<std::size_t>(*offset);
       i < plans.size() && data.size() < static_cast<std::size_t>(*limit); ++i) {
    data.push_back(ClerkPlanJson(*plans[i], catalog->CurrentVersion(*plans[i])));
  }
  return JsonResponse(ClerkListJson(std::move(data), plans.size()));
}

Result<ApiResponse> ClerkGetUserSubscription(const ApiServices& api, const ApiRequest& request) {
  return SubscriptionOf(api, request, PayerType::kUser);
}

Result<ApiResponse> ClerkGetOrganizationSubscription(const ApiServices& api,
                                                     const ApiRequest& request) {
  return SubscriptionOf(api, request, PayerType::kOrg);
}

Result<ApiResponse> ClerkCancelSubscriptionItem(const ApiServices& api, const ApiRequest& request) {
  auto end_now = ReadEndNow(request);
  if (!end_now) return std::unexpected(end_now.error());
  return AnswerItem(api.billing, api.billing.Cancel(request.path_params[0], *end_now));
}

Result<ApiResponse> ClerkExtendFreeTrial(const ApiServices& api, const ApiRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  const std::optional<std::string> extend_to = reader.String("extend_to", true, 64);
  if (auto done = reader.Finish({"extend_to"}); !done) return std::unexpected(done.error());
  const std::optional<Instant> until = ParseRfc3339(*extend_to);
  if (!until) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "extend_to must be an RFC 3339 date and time such as "
                     "\"2026-01-08T00:00:00Z\"; it is \"" +
                         *extend_to + "\"",
                     "extend_to");
  }
  return AnswerItem(api.billing, api.billing.ExtendTrial(request.path_params[0], *until));
}

}  // namespace recur
