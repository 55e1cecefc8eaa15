// Request ids (http/request_id.h) through a real `recur serve`: every answer carries Request-Id,
// the client's well-formed X-Request-Id or one the server made; error bodies carry it as
// request_id; and the log lines written while the request is served (the access log, and the
// lines of the work itself, on a worker thread for a write) carry it as "request_id".
#include <sstream>
#include <vector>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::request_id_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::MatchesRegex;

class RequestIdTest : public ServeTest {
 protected:
  // The server's log lines of `event`, as JSON.
  std::vector<json> LogLines(const std::string& event) const {
    std::vector<json> lines;
    std::istringstream text(server_->Stderr());
    for (std::string line; std::getline(text, line);) {
      json entry = json::parse(line, nullptr, false);
      if (!entry.is_discarded() && entry.value("event", "") == event) lines.push_back(entry);
    }
    return lines;
  }
};

TEST_F(RequestIdTest, AWellFormedIncomingIdIsAnsweredAndLogged) {
  Serve();
  auto answer = server_->Client().Get("/healthz", {{"X-Request-Id", "lb-7f3a:42"}});
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->get_header_value("Request-Id"), "lb-7f3a:42");
  ASSERT_TRUE(server_->WaitForStderr("\"request_id\":\"lb-7f3a:42\"", 5s));
  const std::vector<json> requests = LogLines("http_request");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["request_id"], "lb-7f3a:42");
  EXPECT_EQ(requests[0]["path"], "/healthz");
}

TEST_F(RequestIdTest, WithoutAWellFormedIncomingIdTheServerMakesOneForEachRequest) {
  Serve();
  auto client = server_->Client();
  auto without = client.Get("/healthz");
  auto malformed = client.Get("/healthz", {{"X-Request-Id", "has spaces in it"}});
  ASSERT_TRUE(without && malformed);
  EXPECT_THAT(without->get_header_value("Request-Id"), MatchesRegex("req_[0-9A-Za-z]{22}"));
  EXPECT_THAT(malformed->get_header_value("Request-Id"), MatchesRegex("req_[0-9A-Za-z]{22}"));
  EXPECT_NE(without->get_header_value("Request-Id"), malformed->get_header_value("Request-Id"));
}

TEST_F(RequestIdTest, ErrorBodiesNameTheRequestAsItsHeaderDoes) {
  Serve();
  auto client = server_->Client();
  // Refused from the head (no key), and refused by a handler (no such payer).
  auto unauthorized = client.Get("/v1/payers/cpayer_none", {{"X-Request-Id", "mine-1"}});
  httplib::Headers keyed = Auth();
  auto not_found = client.Get("/v1/payers/cpayer_none", keyed);
  ASSERT_TRUE(unauthorized && not_found);
  EXPECT_EQ(unauthorized->status, 401);
  EXPECT_EQ(json::parse(unauthorized->body)["error"]["request_id"], "mine-1");
  EXPECT_EQ(unauthorized->get_header_value("Request-Id"), "mine-1");
  EXPECT_EQ(not_found->status, 404);
  const json error = json::parse(not_found->body)["error"];
  EXPECT_EQ(error["code"], "payer_not_found");
  EXPECT_EQ(error["request_id"], not_found->get_header_value("Request-Id"));
}

TEST_F(RequestIdTest, LinesTheWorkOfAWriteLogsCarryItsRequestId) {
  Serve();
  httplib::Headers headers = Auth();
  headers.emplace("X-Request-Id", "reload-1");
  auto reloaded = server_->Client().Post("/v1/plans/reload", headers, "", "application/json");
  ASSERT_TRUE(reloaded);
  ASSERT_EQ(reloaded->status, 200) << reloaded->body;
  ASSERT_TRUE(server_->WaitForStderr("\"event\":\"catalog_reloaded\"", 5s));
  const std::vector<json> reloads = LogLines("catalog_reloaded");
  ASSERT_EQ(reloads.size(), 1u);
  EXPECT_EQ(reloads[0]["request_id"], "reload-1");
  for (const json& line : LogLines("listening")) EXPECT_FALSE(line.contains("request_id"));
}

}  // namespace
}  // namespace recur::testing::request_id_test
