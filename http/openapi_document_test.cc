#include "http/openapi_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/billing_api.h"

namespace recur::openapi_document_test {
namespace {

using nlohmann::json;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

json Document() { return json::parse(OpenApiDocumentText()); }

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string Upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

// "GET /v1/payers/{id}" for every route the server answers.
std::vector<std::string> ServedOperations() {
  std::vector<std::string> served;
  for (const ApiRoute& route : kApiRoutes) {
    served.push_back(std::string(route.method) + " " + std::string(route.pattern));
  }
  return served;
}

const std::set<std::string> kHttpMethods = {"get",     "put",  "post",  "delete",
                                            "options", "head", "patch", "trace"};

// The same for every operation the document describes.
std::vector<std::string> DocumentedOperations(const json& document) {
  std::vector<std::string> documented;
  for (const auto& [path, item] : document.at("paths").items()) {
    for (const auto& [method, operation] : item.items()) {
      if (kHttpMethods.contains(method)) documented.push_back(Upper(method) + " " + path);
    }
  }
  return documented;
}

const json& OperationOf(const json& document, const ApiRoute& route) {
  return document.at("paths").at(std::string(route.pattern)).at(Lower(route.method));
}

// The {name} segments of a route pattern, in order.
std::vector<std::string> PatternParameters(std::string_view pattern) {
  std::vector<std::string> names;
  for (std::size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', open + 1)) {
    names.emplace_back(pattern.substr(open + 1, pattern.find('}', open) - open - 1));
  }
  return names;
}

// An operation's parameter as written or, for a {"$ref": "#/components/parameters/NAME"}, the
// component it names.
const json& Resolved(const json& document, const json& parameter) {
  if (!parameter.contains("$ref")) return parameter;
  const std::string ref = parameter.at("$ref");
  const std::string prefix = "#/components/parameters/";
  return document.at("components").at("parameters").at(ref.substr(prefix.size()));
}

TEST(OpenApiDocumentTest, TheServedTextIsDocsOpenapiJsonAsItStandsInTheSourceTree) {
  std::ifstream file(std::string(RECUR_SOURCE_DIR) + "/docs/openapi.json");
  std::stringstream text;
  text << file.rdbuf();
  ASSERT_FALSE(text.str().empty());
  EXPECT_EQ(OpenApiDocumentText(), text.str()) << "re-run cmake to embed the changed document";
}

TEST(OpenApiDocumentTest, IsAnOpenApi31DocumentWithTheSecretKeyScheme) {
  const json document = Document();
  EXPECT_EQ(document.at("openapi"), "3.1.0");
  const json& scheme = document.at("components").at("securitySchemes").at("secretKey");
  EXPECT_EQ(scheme.at("type"), "http");
  EXPECT_EQ(scheme.at("scheme"), "bearer");
  const json& console = document.at("components").at("securitySchemes").at("consoleSession");
  EXPECT_EQ(console.at("type"), "apiKey");
  EXPECT_EQ(console.at("in"), "cookie");
  EXPECT_EQ(console.at("name"), "recur_console");
}

TEST(OpenApiDocumentTest, DescribesEveryRouteServedAndNoOther) {
  EXPECT_THAT(DocumentedOperations(Document()), UnorderedElementsAreArray(ServedOperations()));
}

TEST(OpenApiDocumentTest, EachOperationAsksForTheCredentialsItsRouteTakes) {
  const json document = Document();
  const json keyed = json::array({{{"secretKey", json::array()}}});
  for (const ApiRoute& route : kApiRoutes) {
    if (!document.at("paths").contains(std::string(route.pattern))) continue;
    const json& operation = OperationOf(document, route);
    const json security = operation.value("security", document.at("security"));
    const std::string name = std::string(route.method) + " " + std::string(route.pattern);
    switch (route.access) {
      case Access::kPublic:
        EXPECT_EQ(security, json::array()) << name;
        EXPECT_FALSE(operation.at("responses").contains("401")) << name;
        break;
      case Access::kSecretKey:
        EXPECT_EQ(security, keyed) << name;
        EXPECT_TRUE(operation.at("responses").contains("401")) << name;
        EXPECT_TRUE(operation.at("responses").contains("403")) << name;  // a session's
        break;
      case Access::kPublicUnlessPayer:
        // No credential, the key, or a payer session: a credential when a payer is named.
        EXPECT_EQ(security, json::array({json::object(),
                                         {{"secretKey", json::array()}},
                                         {{"payerSession", json::array()}}}))
            << name;
        EXPECT_TRUE(operation.at("responses").contains("401")) << name;
        break;
      case Access::kPayerSession:
      case Access::kItemSession:
      case Access::kStatementSession:
      case Access::kAttemptSession:
        EXPECT_EQ(security,
                  json::array({{{"secretKey", json::array()}}, {{"payerSession", json::array()}}}))
            << name;
        EXPECT_TRUE(operation.at("responses").contains("401")) << name;
        EXPECT_TRUE(operation.at("responses").contains("404")) << name;
        break;
      case Access::kConsoleSignIn:
        // No credential in the head; a wrong key in the body is a 401.
        EXPECT_EQ(security, json::array()) << name;
        EXPECT_TRUE(operation.at("responses").contains("401")) << name;
        break;
      case Access::kConsoleSession:
        EXPECT_EQ(security, json::array({{{"consoleSession", json::array()}}})) << name;
        EXPECT_TRUE(operation.at("responses").contains("401")) << name;
        break;
    }
  }
}

TEST(OpenApiDocumentTest, EachOperationDeclaresExactlyThePathParametersOfItsRoute) {
  const json document = Document();
  for (const ApiRoute& route : kApiRoutes) {
    if (!document.at("paths").contains(std::string(route.pattern))) continue;
    std::vector<std::string> declared;
    for (const json& parameter : OperationOf(document, route).value("parameters", json::array())) {
      const json& resolved = Resolved(document, parameter);
      if (resolved.at("in") == "path") {
        EXPECT_EQ(resolved.at("required"), true) << route.pattern;
        declared.push_back(resolved.at("name"));
      }
    }
    EXPECT_EQ(declared, PatternParameters(route.pattern)) << route.method << " " << route.pattern;
  }
}

TEST(OpenApiDocumentTest, EveryOperationHasASuccessAndTheErrorsEveryRequestCanMeet) {
  const json document = Document();
  std::vector<std::string> lacking;
  for (const ApiRoute& route : kApiRoutes) {
    if (!document.at("paths").contains(std::string(route.pattern))) continue;
    const json& responses = OperationOf(document, route).at("responses");
    const bool succeeds =
        responses.contains("200") || responses.contains("201") || responses.contains("204");
    if (!succeeds) {
      lacking.push_back(std::string(route.method) + " " + std::string(route.pattern) + " 2xx");
    }
    for (const char* status : {"400", "413", "415", "429", "500", "503"}) {
      if (!responses.contains(status)) {
        lacking.push_back(std::string(route.method) + " " + std::string(route.pattern) + " " +
                          status);
      }
    }
  }
  EXPECT_THAT(lacking, IsEmpty());
}

TEST(OpenApiDocumentTest, OperationIdsAreUnique) {
  std::set<std::string> seen;
  std::vector<std::string> repeated;
  const json document = Document();
  for (const auto& [path, item] : document.at("paths").items()) {
    for (const auto& [method, operation] : item.items()) {
      const std::string id = operation.at("operationId");
      if (!seen.insert(id).second) repeated.push_back(id);
    }
  }
  EXPECT_THAT(repeated, IsEmpty());
}

}  // namespace
}  // namespace recur::openapi_document_test
