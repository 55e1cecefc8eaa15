// The HTTP edge, the secret key, migrations and process life of the real `recur serve`.
#include <signal.h>

#include <regex>
#include <sstream>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>

#include "base/sha256.h"
#include "store/sqlite/migration.h"
#include "tests/e2e/fixture.h"

namespace recur::testing::serve_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;

json ErrorOf(const httplib::Result& result, int expected_status) {
  if (!result) throw std::runtime_error("no HTTP answer");
  EXPECT_EQ(result->status, expected_status) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  json error = json::parse(result->body)["error"];
  // Every error names its request as the Request-Id header does; the rest is the error's own.
  EXPECT_EQ(error["request_id"], result->get_header_value("Request-Id")) << result->body;
  error.erase("request_id");
  return error;
}

TEST_F(ServeTest, HealthzAnswersWithoutAKey) {
  auto health = Serve().Client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body), json({{"status", "ok"}}));
}

TEST_F(ServeTest, EveryFailureUsesTheOneErrorFormat) {
  auto client = Serve().Client();
  EXPECT_EQ(ErrorOf(client.Get("/v1/nothing"), 404),
            json({{"code", "route_not_found"}, {"message", "no route GET /v1/nothing"}}));

  auto wrong_method = client.Delete("/v1/plans");
  EXPECT_EQ(ErrorOf(wrong_method, 405)["code"], "method_not_allowed");
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "GET");

  EXPECT_EQ(ErrorOf(client.Post("/v1/plans/reload", Auth(), "{\"a\":", "application/json"), 400),
            json({{"code", "invalid_json"},
                  {"message",
                   "the request body is not valid JSON: line 1, column 6: syntax error while "
                   "parsing value - unexpected end of input; expected '[', '{', or a literal"}}));
  EXPECT_EQ(
      ErrorOf(client.Post("/v1/plans/reload", Auth(), "[1]", "application/json"), 400)["code"],
      "invalid_body");
  EXPECT_EQ(
      ErrorOf(client.Post("/v1/plans/reload", Auth(), R"({"force": true})", "application/json"),
              400),
      json({{"code", "unknown_parameter"},
            {"message", "this endpoint takes no parameters"},
            {"param", "force"}}));
  EXPECT_EQ(ErrorOf(client.Post("/v1/plans/reload", Auth(), std::string(2 << 20, ' '),
                                "application/json"),
                    413),
            json({{"code", "body_too_large"},
                  {"message", "the request body is larger than the limit of 1048576 bytes"}}));
  EXPECT_EQ(ErrorOf(client.Get("/v1/plans?payer_type=team"), 400),
            json({{"code", "invalid_parameter"},
                  {"message", "payer_type must be \"user\" or \"org\""},
                  {"param", "payer_type"}}));
  EXPECT_EQ(ErrorOf(client.Get("/v1/plans?payer=user"), 400)["param"], "payer");
}

TEST_F(ServeTest, NonPublicEndpointsNeedTheSecretKey) {
  auto client = Serve().Client();
  auto missing = client.Post("/v1/plans/reload");
  EXPECT_EQ(ErrorOf(missing, 401)["code"], "unauthorized");
  EXPECT_EQ(missing->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(ErrorOf(client.Post("/v1/plans/reload", {{"Authorization", "Bearer sk_wrong"}}, "",
                                "application/json"),
                    401),
            json({{"code", "unauthorized"}, {"message", "the secret key is not valid"}}));
  EXPECT_EQ(ErrorOf(client.Post("/v1/plans/reload", {{"Authorization", kTestSecretKey}}, "",
                                "application/json"),
                    401)["code"],
            "unauthorized");
  auto good = client.Post("/v1/plans/reload", Auth(), "", "application/json");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
}

TEST_F(ServeTest, ABodylessPostIsAnsweredAtOnce) {
  // No Content-Length at all: the server must not wait for a body that will never come.
  auto client = Serve().Client();
  client.set_read_timeout(3s);
  httplib::Request request;
  request.method = "POST";
  request.path = "/v1/plans/reload";
  request.headers = Auth();
  const auto started = std::chrono::steady_clock::now();
  auto answer = client.send(request);
  ASSERT_TRUE(answer) << "no answer within the read timeout";
  EXPECT_EQ(answer->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(ServeTest, GeneratesASecretKeyOnceAndStoresOnlyItsHash) {
  RecurServer::Options options{database(), plans_dir(), {}};
  std::string key;
  {
    auto server = RecurServer::Start(options);
    ASSERT_TRUE(server);
    std::smatch match;
    const std::string out = server->Stdout();
    static const std::regex kKey("sk_live_[0-9A-Za-z]{40}");
    ASSERT_TRUE(std::regex_search(out, match, kKey)) << out;
    key = match.str();
    EXPECT_THAT(server->Stderr(), ::testing::Not(HasSubstr(key)));
    auto reload = server->Client().Post("/v1/plans/reload", {{"Authorization", "Bearer " + key}},
                                        "", "application/json");
    ASSERT_TRUE(reload);
    EXPECT_EQ(reload->status, 200);
  }
  EXPECT_EQ(StoredText("SELECT value FROM settings WHERE key = 'secret_key_sha256'"),
            Sha256Hex(key));
  EXPECT_EQ(
      StoredNumber("SELECT COUNT(*) FROM settings WHERE value LIKE " + Quoted("%" + key + "%")), 0);
  auto again = RecurServer::Start(options);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->Stdout(), "");
  auto reload = again->Client().Post("/v1/plans/reload", {{"Authorization", "Bearer " + key}}, "",
                                     "application/json");
  ASSERT_TRUE(reload);
  EXPECT_EQ(reload->status, 200);
}

TEST_F(ServeTest, RefusesAMalformedConfiguredKey) {
  int exit_code = 0;
  std::string output;
  EXPECT_EQ(RecurServer::Start({database(), plans_dir(), {{"RECUR_SECRET_KEY", "hunter2"}}},
                               &exit_code, &output),
            nullptr);
  EXPECT_EQ(exit_code, 1);
  EXPECT_THAT(output, HasSubstr("RECUR_SECRET_KEY must start with \"sk_\""));
}

TEST_F(ServeTest, AppliesEachMigrationOnceAndRefusesANewerSchema) {
  { ASSERT_TRUE(RecurServer::Start(Options())); }
  { ASSERT_TRUE(RecurServer::Start(Options())); }
  {
    SQLite::Database db(db_path(), SQLite::OPEN_READWRITE);
    SQLite::Statement names(db, "SELECT name FROM schema_migrations ORDER BY version");
    std::vector<std::string> applied;
    while (names.executeStep()) applied.push_back(names.getColumn(0).getString());
    std::vector<std::string> embedded;
    for (const Migration& migration : EmbeddedMigrations()) embedded.emplace_back(migration.name);
    ASSERT_GE(embedded.size(), 5u);
    EXPECT_EQ(embedded.front(), "0001_catalog.sql");
    EXPECT_EQ(applied, embedded);  // each once, in order
    db.exec("INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 0)");
  }
  int exit_code = 0;
  std::string output;
  EXPECT_EQ(RecurServer::Start(Options(), &exit_code, &output), nullptr);
  EXPECT_EQ(exit_code, 1);
  EXPECT_THAT(output, HasSubstr("the database has schema version 9999 but this recur knows "
                                "versions up to " +
                                std::to_string(EmbeddedMigrations().back().version)));
}

TEST_F(ServeTest, StopsCleanlyOnSigtermAndSigint) {
  for (int signal : {SIGTERM, SIGINT}) {
    auto server = RecurServer::Start(Options());
    ASSERT_TRUE(server);
    server->Signal(signal);
    EXPECT_EQ(server->WaitForExit(10s), 0);
    EXPECT_THAT(server->Stderr(), HasSubstr("\"event\":\"stopped\""));
  }
}

TEST_F(ServeTest, WritesAJsonAccessLogLinePerRequest) {
  RecurServer& server = Serve();
  auto client = server.Client();
  ASSERT_TRUE(client.Get("/healthz"));
  ASSERT_TRUE(client.Get("/v1/nothing"));
  ASSERT_TRUE(server.WaitForStderr("\"event\":\"http_request\"", 5s, 2));
  std::vector<json> requests;
  std::istringstream lines(server.Stderr());
  for (std::string line; std::getline(lines, line);) {
    json entry = json::parse(line);  // every line is JSON
    EXPECT_TRUE(entry.contains("time") && entry.contains("level")) << line;
    if (entry["event"] == "http_request") requests.push_back(entry);
  }
  ASSERT_EQ(requests.size(), 2u);
  // Requests on separate connections are logged by separate threads, in either order.
  if (requests[0]["path"] != "/healthz") std::swap(requests[0], requests[1]);
  EXPECT_EQ(requests[0]["path"], "/healthz");
  EXPECT_EQ(requests[0]["status"], 200);
  EXPECT_EQ(requests[1]["method"], "GET");
  EXPECT_EQ(requests[1]["path"], "/v1/nothing");
  EXPECT_EQ(requests[1]["status"], 404);
  EXPECT_TRUE(requests[1]["duration_ms"].is_number());
}

TEST_F(ServeTest, RefusesAnAddressItCannotUse) {
  CommandResult result = RunRecur({"serve", "--addr", "localhost", "--db", db_path()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--addr must be HOST:PORT"));
  result = RunRecur({"serve", "--adr", "127.0.0.1:0"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("unknown flag --adr; did you mean --addr?"));
}

}  // namespace
}  // namespace recur::testing::serve_test
