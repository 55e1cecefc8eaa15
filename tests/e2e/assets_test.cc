// GET /v1/assets/recur.js through the real `recur serve`: the browser components' script
// (web/recur.js) byte for byte, public, typed as JavaScript, with a cache validator that a
// browser's revalidation answers 304 to. What the script does in a browser is
// tests/browser/components_test.mjs's business.
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::assets_test {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::string ScriptInTheSourceTree() {
  std::ifstream file(std::string(RECUR_SOURCE_DIR) + "/web/recur.js");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST_F(ServeTest, ServesTheComponentsScriptWithoutAKeyAsJavaScript) {
  Serve();
  auto answer = server_->Client().Get("/v1/assets/recur.js");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(answer->get_header_value("Cache-Control"), "public, max-age=300");
  EXPECT_THAT(answer->get_header_value("ETag"), MatchesRegex("\"[0-9a-f]{32}\""));
  const std::string script = ScriptInTheSourceTree();
  ASSERT_FALSE(script.empty());
  EXPECT_EQ(answer->body, script);
  EXPECT_THAT(answer->body, HasSubstr("customElements.define"));
}

TEST_F(ServeTest, TheComponentsScriptAnswers304ToItsOwnETagOnly) {
  Serve();
  auto client = server_->Client();
  auto first = client.Get("/v1/assets/recur.js");
  ASSERT_TRUE(first);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());

  for (const std::string& validator : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    auto again = client.Get("/v1/assets/recur.js", {{"If-None-Match", validator}});
    ASSERT_TRUE(again) << validator;
    EXPECT_EQ(again->status, 304) << validator;
    EXPECT_EQ(again->body, "") << validator;
    EXPECT_EQ(again->get_header_value("ETag"), etag) << validator;
  }
  auto changed = client.Get("/v1/assets/recur.js", {{"If-None-Match", "\"an-older-script\""}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_EQ(changed->body, first->body);
}

TEST_F(ServeTest, TheComponentsScriptRefusesUnknownQueryParameters) {
  Serve();
  auto answer = server_->Client().Get("/v1/assets/recur.js?version=2");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);
  EXPECT_EQ(Json(answer)["error"]["code"], "unknown_parameter");
}

}  // namespace
}  // namespace recur::testing::assets_test
