// GET /console and GET /console/<file> through the real `recur serve`: the operator console's
// page, style sheet and scripts (web/console/) byte for byte, public, each typed, with the
// console's Content-Security-Policy and nosniff, and a cache validator answered 304. What the
// console does in a browser is tests/browser/console_test.mjs's business.
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::console_files_test {
namespace {

using ::testing::MatchesRegex;

constexpr char kPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

std::string FileInTheSourceTree(const std::string& name) {
  std::ifstream file(std::string(RECUR_SOURCE_DIR) + "/web/console/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST_F(ServeTest, ServesTheConsoleFilesWithoutAKeyWithTheirTypesAndPolicy) {
  Serve();
  auto client = server_->Client();
  const std::vector<std::pair<std::string, std::string>> files = {
      {"/console", "index.html"},
      {"/console/console.css", "console.css"},
      {"/console/console.js", "console.js"},
      {"/console/payers.js", "payers.js"},
      {"/console/webhooks.js", "webhooks.js"},
      {"/console/test_clocks.js", "test_clocks.js"},
      {"/console/catalog.js", "catalog.js"},
      {"/console/overview.js", "overview.js"},
  };
  for (const auto& [path, name] : files) {
    auto answer = client.Get(path);
    ASSERT_TRUE(answer) << path;
    EXPECT_EQ(answer->status, 200) << path;
    const std::string expected_type = name.ends_with(".html")  ? "text/html; charset=utf-8"
                                      : name.ends_with(".css") ? "text/css; charset=utf-8"
                                                               : "text/javascript; charset=utf-8";
    EXPECT_EQ(answer->get_header_value("Content-Type"), expected_type) << path;
    EXPECT_EQ(answer->get_header_value("Content-Security-Policy"), kPolicy) << path;
    EXPECT_EQ(answer->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(answer->get_header_value("Cache-Control"), "no-cache") << path;
    EXPECT_THAT(answer->get_header_value("ETag"), MatchesRegex("\"[0-9a-f]{32}\"")) << path;
    const std::string text = FileInTheSourceTree(name);
    ASSERT_FALSE(text.empty()) << name;
    EXPECT_EQ(answer->body, text) << path;
  }
}

TEST_F(ServeTest, TheConsoleFilesAnswer304ToTheirOwnETagOnly) {
  Serve();
  auto client = server_->Client();
  auto page = client.Get("/console");
  auto script = client.Get("/console/console.js");
  ASSERT_TRUE(page && script);
  ASSERT_NE(page->get_header_value("ETag"), script->get_header_value("ETag"));

  auto again = client.Get("/console", {{"If-None-Match", page->get_header_value("ETag")}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(again->body, "");
  EXPECT_EQ(again->get_header_value("Content-Security-Policy"), kPolicy);
  auto other = client.Get("/console", {{"If-None-Match", script->get_header_value("ETag")}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(other->body, page->body);
}

TEST_F(ServeTest, AFileTheConsoleDoesNotHaveIsNotFound) {
  Serve();
  for (const std::string path : {"/console/secrets.txt", "/console/..%2Frecur.db", "/console/"}) {
    auto answer = server_->Client().Get(path);
    ASSERT_TRUE(answer) << path;
    EXPECT_EQ(answer->status, 404) << path;
  }
  auto answer = server_->Client().Get("/console/index.js");
  ASSERT_TRUE(answer);
  EXPECT_EQ(Json(answer)["error"]["code"], "console_file_not_found");
  EXPECT_EQ(Json(answer)["error"]["param"], "path");
}

TEST_F(ServeTest, TheConsolePageRefusesUnknownQueryParameters) {
  Serve();
  // The console's own state lives in the fragment (#/payers?q=), never in the query.
  auto answer = server_->Client().Get("/console?q=ada");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);
  EXPECT_EQ(Json(answer)["error"]["code"], "unknown_parameter");
}

}  // namespace
}  // namespace recur::testing::console_files_test
