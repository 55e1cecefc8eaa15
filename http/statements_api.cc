// Statements over HTTP (billing_api.h): a payer's, newest first, and one with its attempts, in
// the shape of Clerk's BillingStatement (domain/events/statement_json.h).
#include "domain/events/statement_json.h"
#include "http/billing_api.h"
#include "http/list_params.h"

namespace recur {

Result<ApiResponse> ListStatements(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {"limit", "starting_after"}); !known) {
    return std::unexpected(known.error());
  }
  BillingService& billing = api.billing;
  auto options = ReadListOptions(request);
  auto account = billing.GetAccount(request.path_params.at(0));
  if (!options || !account) return std::unexpected(!options ? options.error() : account.error());
  auto page = billing.ListStatements(account->payer, *options);
  if (!page) return std::unexpected(page.error());
  const std::shared_ptr<const Catalog> catalog = billing.catalog();
  const RenderContext render = billing.RenderContextFor(*account, *catalog);
  nlohmann::json data = nlohmann::json::array();
  for (const Statement& statement : page->data) {
    data.push_back(StatementJson(statement, render, account->items));
  }
  return JsonResponse(ListJson(std::move(data), page->has_more));
}

Result<ApiResponse> GetStatement(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {}); !known) {
    return std::unexpected(known.error());
  }
  BillingService& billing = api.billing;
  auto statement = billing.GetStatement(request.path_params.at(0));
  if (!statement) return std::unexpected(statement.error());
  auto account = billing.GetAccount(statement->payer_id);
  if (!account) return std::unexpected(account.error());
  const std::shared_ptr<const Catalog> catalog = billing.catalog();
  const RenderContext render = billing.RenderContextFor(*account, *catalog);
  return JsonResponse(StatementJson(*statement, render, account->items));
}

}  // namespace recur
