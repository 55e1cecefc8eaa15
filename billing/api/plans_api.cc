#include "billing/api/plans_api.h"

#include "base/log.h"
#include "billing/api/plan_json.h"

namespace recur {
namespace {

using nlohmann::json;

json ProblemsJson(const CatalogProblems& problems) {
  json list = json::array();
  for (const CatalogProblem& problem : problems) {
    list.push_back({{"file", problem.file},
                    {"location", problem.location},
                    {"message", problem.message},
                    {"text", problem.ToString()}});
  }
  return list;
}

}  // namespace

json ReloadOutcomeJson(const ReloadOutcome& outcome) {
  const CatalogChanges& changes = outcome.changes;
  return {{"object", "catalog_reload"},
          {"changes",
           {{"added", changes.added},
            {"repriced", changes.repriced},
            {"updated", changes.updated},
            {"archived", changes.archived},
            {"restored", changes.restored}}}};
}

void PlansApi::AddRoutes(HttpServer& server) {
  server.Route("GET", "/v1/plans", Access::kPublic,
               [this](const ApiRequest& request, httplib::Response& response) {
                 ListPlans(request, response);
               });
  server.Route("POST", "/v1/plans/reload", Access::kSecretKey,
               [this](const ApiRequest& request, httplib::Response& response) {
                 Reload(request, response);
               });
}

std::shared_ptr<const std::string> PlansApi::RenderedList(const std::string& payer_type) {
  std::shared_ptr<const Catalog> catalog = catalog_.Current();
  std::lock_guard lock(cache_mutex_);
  if (cached_for_ != catalog) {
    cache_.clear();
    cached_for_ = catalog;
  }
  auto& rendered = cache_[payer_type];
  if (!rendered) {
    json data = json::array();
    for (PayerType type : {PayerType::kUser, PayerType::kOrg}) {
      if (!payer_type.empty() && payer_type != PayerTypeName(type)) continue;
      for (const CatalogPlan* plan : catalog->VisiblePlans(type)) {
        data.push_back(PlanJson(*plan, catalog->CurrentVersion(*plan)));
      }
    }
    json body = {{"object", "list"}, {"data", std::move(data)}, {"has_more", false}};
    rendered = std::make_shared<const std::string>(body.dump());
  }
  return rendered;
}

void PlansApi::ListPlans(const ApiRequest& request, httplib::Response& response) {
  if (auto known = RejectUnknownQueryParams(request.http, {"payer_type"}); !known) {
    SendError(response, known.error());
    return;
  }
  std::string payer_type = request.http.get_param_value("payer_type");
  if (request.http.has_param("payer_type") && !ParsePayerType(payer_type)) {
    SendError(response, {ErrorKind::kInvalidArgument, "invalid_parameter",
                         "payer_type must be \"user\" or \"org\"", "payer_type"});
    return;
  }
  response.status = 200;
  response.set_content(*RenderedList(payer_type), "application/json");
}

void PlansApi::Reload(const ApiRequest& request, httplib::Response& response) {
  auto body = ParseJsonBody(request.http);
  if (!body) {
    SendError(response, body.error());
    return;
  }
  if (!body->empty()) {
    SendError(response, {ErrorKind::kInvalidArgument, "unknown_parameter",
                         "this endpoint takes no parameters", body->begin().key()});
    return;
  }
  auto outcome = catalog_.Reload();
  if (!outcome) {
    SendError(response, outcome.error());
    return;
  }
  if (!outcome->ok()) {
    const std::size_t count = outcome->problems.size();
    SendError(
        response,
        {ErrorKind::kFailedPrecondition, "catalog_invalid",
         "the plan catalog at " + catalog_.plans_path() + " has " + std::to_string(count) +
             (count == 1 ? " problem" : " problems") + "; the running catalog stays in force"},
        ProblemsJson(outcome->problems));
    Log(clock_.Now(), "warn", "catalog_reload_refused",
        {{"source", "api"}, {"problems", ProblemsJson(outcome->problems)}});
    return;
  }
  json answer = ReloadOutcomeJson(*outcome);
  Log(clock_.Now(), "info", "catalog_reloaded",
      {{"source", "api"}, {"changes", answer["changes"]}});
  SendJson(response, 200, answer);
}

}  // namespace recur
