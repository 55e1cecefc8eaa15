// The catalog over HTTP (billing_api.h): the plans list, reloads, and the health check.
#include "base/log.h"
#include "http/api_error.h"
#include "http/billing_api.h"

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

Result<ApiResponse> Health(const ApiServices&, const ApiRequest&) {
  return JsonResponse({{"status", "ok"}});
}

Result<ApiResponse> ListPlans(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {"payer_type"}); !known) {
    return std::unexpected(known.error());
  }
  const std::string_view payer_type = request.Query("payer_type");
  if (request.HasQuery("payer_type") && !ParsePayerType(payer_type)) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "payer_type must be \"user\" or \"org\"", "payer_type");
  }
  return JsonTextResponse(api.rendered_catalogs.Current()->list_text.at(std::string(payer_type)));
}

Result<ApiResponse> ReloadPlans(const ApiServices& api, const ApiRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  if (!body->empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "unknown_parameter",
                     "this endpoint takes no parameters", body->begin().key());
  }
  auto outcome = api.catalog.Reload();
  if (!outcome) return std::unexpected(outcome.error());
  if (!outcome->ok()) {
    const std::size_t count = outcome->problems.size();
    Log(api.clock.Now(), "warn", "catalog_reload_refused",
        {{"source", "api"}, {"problems", ProblemsJson(outcome->problems)}});
    return ErrorResponse(
        {ErrorKind::kFailedPrecondition, "catalog_invalid",
         "the plan catalog at " + api.catalog.plans_path() + " has " + std::to_string(count) +
             (count == 1 ? " problem" : " problems") + "; the running catalog stays in force"},
        ProblemsJson(outcome->problems));
  }
  json answer = ReloadOutcomeJson(*outcome);
  Log(api.clock.Now(), "info", "catalog_reloaded",
      {{"source", "api"}, {"changes", answer["changes"]}});
  return JsonResponse(answer);
}

}  // namespace recur
