#include "http/plans_api.h"

#include "base/log.h"

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
  response.set_content(rendered_.Current()->list_text.at(payer_type), "application/json");
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
