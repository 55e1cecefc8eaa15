#include "http/billing_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "http/router.h"

namespace recur::billing_api_test {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

// A route as docs/api.md's index table writes it: "POST /v1/payers secret key".
std::string RouteText(std::string_view method, std::string_view pattern, std::string_view access) {
  return std::string(method) + " " + std::string(pattern) + " " + std::string(access);
}

// The access column of docs/api.md's index.
std::string_view AccessText(Access access) {
  switch (access) {
    case Access::kPublic:
      return "public";
    case Access::kSecretKey:
      return "secret key";
    case Access::kPublicUnlessPayer:
      return "public; secret key or the payer's session with payer_id";
    case Access::kPayerSession:
    case Access::kItemSession:
    case Access::kStatementSession:
    case Access::kAttemptSession:
      return "secret key or the payer's session";
    case Access::kConsoleSignIn:
      return "public; the secret key in the body";
    case Access::kConsoleSession:
      return "console session";
  }
  return "?";
}

std::vector<std::string> ServedRoutes() {
  std::vector<std::string> routes;
  for (const ApiRoute& route : kApiRoutes) {
    routes.push_back(RouteText(route.method, route.pattern, AccessText(route.access)));
  }
  return routes;
}

const ApiRoute& RouteOf(std::string_view method, std::string_view pattern) {
  for (const ApiRoute& route : kApiRoutes) {
    if (route.method == method && route.pattern == pattern) return route;
  }
  throw std::runtime_error("no route " + std::string(pattern));
}

std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> cells;
  std::size_t start = row.find('|') + 1;
  for (std::size_t end = row.find('|', start); end != std::string::npos;
       start = end + 1, end = row.find('|', start)) {
    std::string cell = row.substr(start, end - start);
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    cells.push_back(cell);
  }
  return cells;
}

// The rows of the first table of docs/api.md, the index of every endpoint:
// "| `METHOD /path` | public or secret key | what |".
std::vector<std::string> DocumentedRoutes() {
  std::ifstream file(std::string(RECUR_SOURCE_DIR) + "/docs/api.md");
  std::vector<std::string> routes;
  std::string line;
  while (std::getline(file, line) && !line.starts_with("| method and path |")) {
  }
  std::getline(file, line);  // |---|---|---|
  while (std::getline(file, line) && line.starts_with("|")) {
    const std::vector<std::string> cells = Cells(line);
    std::string route = cells.empty() ? "" : cells[0];
    if (route.size() > 2 && route.front() == '`' && route.back() == '`') {
      route = route.substr(1, route.size() - 2);
    }
    routes.push_back(route + " " + (cells.size() > 1 ? cells[1] : ""));
  }
  return routes;
}

TEST(ApiRoutesTest, TheDocsIndexListsEveryRouteServedWithItsAccessAndNoOther) {
  const std::vector<std::string> documented = DocumentedRoutes();
  ASSERT_FALSE(documented.empty()) << "no index table in docs/api.md";
  EXPECT_THAT(documented, UnorderedElementsAreArray(ServedRoutes()));
}

TEST(ApiRoutesTest, ThePricingTableNeedsACredentialExactlyWhenItNamesAPayer) {
  const Access access = RouteOf("GET", "/v1/pricing_table").access;
  EXPECT_FALSE(NeedsCredential(access, {{"payer_type", "user"}}));
  EXPECT_FALSE(NeedsCredential(access, {}));
  EXPECT_TRUE(NeedsCredential(access, {{"payer_id", "cpayer_1"}}));
  EXPECT_TRUE(NeedsCredential(access, {{"payer_id", ""}}));
  EXPECT_TRUE(NeedsCredential(access, {{"payer_type", "user"}, {"payer_id", "cpayer_1"}}));
}

TEST(ApiRoutesTest, PublicRoutesAreTheOnesAVisitorWithoutAnAccountNeeds) {
  std::vector<std::string> without_key;
  for (const ApiRoute& route : kApiRoutes) {
    if (!NeedsCredential(route.access, {})) {
      without_key.push_back(std::string(route.method) + " " + std::string(route.pattern));
    }
  }
  EXPECT_THAT(without_key,
              UnorderedElementsAreArray({"GET /healthz", "GET /readyz", "GET /v1/openapi.json",
                                         "GET /v1/assets/recur.js", "GET /v1/plans",
                                         "GET /.well-known/jwks.json", "GET /v1/pricing_table",
                                         "POST /v1/gateways/stripe/webhook",
                                         // the secret key is in its body
                                         "POST /v1/console/session",
                                         // the console's page and files, which hold no data
                                         "GET /console", "GET /console/{file}"}));
}

TEST(ApiRoutesTest, APayerSessionMayUseExactlyItsPayersReadsAndChanges) {
  std::vector<std::string> for_sessions;
  for (const ApiRoute& route : kApiRoutes) {
    if (AcceptsPayerSession(route.access)) {
      for_sessions.push_back(std::string(route.method) + " " + std::string(route.pattern));
    }
  }
  EXPECT_THAT(for_sessions, UnorderedElementsAreArray({
                                "GET /v1/pricing_table",
                                "GET /v1/payers/{id}/subscription",
                                "GET /v1/payers/{id}/payment_methods",
                                "POST /v1/payers/{id}/payment_methods",
                                "POST /v1/payers/{id}/setup_intents",
                                "GET /v1/payers/{id}/entitlements",
                                "GET /v1/payers/{id}/entitlements/{feature}",
                                "POST /v1/payers/{id}/subscription_items",
                                "DELETE /v1/subscription_items/{id}",
                                "GET /v1/payers/{id}/statements",
                                "GET /v1/statements/{id}",
                                "GET /v1/payment_attempts/{id}/receipt",
                                "GET /v1/statements/{id}/receipt",
                            }));
}

TEST(ApiRoutesTest, NoTwoRoutesShareAMethodAndPattern) {
  std::set<std::string> seen;
  std::vector<std::string> repeated;
  for (const ApiRoute& route : kApiRoutes) {
    const std::string key = std::string(route.method) + " " + std::string(route.pattern);
    if (!seen.insert(key).second) repeated.push_back(key);
  }
  EXPECT_THAT(repeated, IsEmpty());
}

TEST(ApiRoutesTest, EveryRouteIsFoundByItsOwnPattern) {
  Router router;
  for (const ApiRoute& route : kApiRoutes) router.Add(std::string(route.method), route.pattern);
  for (std::size_t i = 0; i < std::size(kApiRoutes); ++i) {
    const ApiRoute& route = kApiRoutes[i];
    RouteMatch match = router.Match(route.method, route.pattern);
    EXPECT_EQ(match.outcome, RouteMatch::Outcome::kFound) << route.pattern;
    EXPECT_EQ(match.route, i) << route.method << " " << route.pattern << " is shadowed";
  }
}

}  // namespace
}  // namespace recur::billing_api_test
