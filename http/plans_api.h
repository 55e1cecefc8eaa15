// The catalog's HTTP endpoints:
//   GET  /v1/plans[?payer_type=user|org]  public: the plans a pricing table shows, cheapest first
//   POST /v1/plans/reload                 secret key: reload the plan files now (as SIGHUP does)
// The plans list is rendered once per catalog snapshot and per payer type (rendered_catalog.h),
// then served from memory until the next reload.
#pragma once

#include "http/http_server.h"
#include "http/rendered_catalog.h"
#include "services/catalog/catalog_service.h"

namespace recur {

class PlansApi {
 public:
  PlansApi(CatalogService& catalog, RenderedCatalogs& rendered, const Clock& clock)
      : catalog_(catalog), rendered_(rendered), clock_(clock) {}

  void AddRoutes(HttpServer& server);

 private:
  void ListPlans(const ApiRequest& request, httplib::Response& response);
  void Reload(const ApiRequest& request, httplib::Response& response);

  CatalogService& catalog_;
  RenderedCatalogs& rendered_;
  const Clock& clock_;
};

// The JSON answer of a catalog reload, also logged on SIGHUP.
nlohmann::json ReloadOutcomeJson(const ReloadOutcome& outcome);

}  // namespace recur
