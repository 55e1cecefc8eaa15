// The catalog's HTTP endpoints:
//   GET  /v1/plans[?payer_type=user|org]  public: the plans a pricing table shows, cheapest first
//   POST /v1/plans/reload                 secret key: reload the plan files now (as SIGHUP does)
// The plans list is rendered once per catalog snapshot and per payer type, then served from
// memory until the next reload.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "billing/api/http_server.h"
#include "billing/catalog/catalog_service.h"

namespace recur {

class PlansApi {
 public:
  explicit PlansApi(CatalogService& catalog, const Clock& clock)
      : catalog_(catalog), clock_(clock) {}

  void AddRoutes(HttpServer& server);

 private:
  void ListPlans(const ApiRequest& request, httplib::Response& response);
  void Reload(const ApiRequest& request, httplib::Response& response);
  std::shared_ptr<const std::string> RenderedList(const std::string& payer_type);

  CatalogService& catalog_;
  const Clock& clock_;
  std::mutex cache_mutex_;
  std::shared_ptr<const Catalog> cached_for_;
  std::map<std::string, std::shared_ptr<const std::string>> cache_;  // by payer_type filter
};

// The JSON answer of a catalog reload, also logged on SIGHUP.
nlohmann::json ReloadOutcomeJson(const ReloadOutcome& outcome);

}  // namespace recur
