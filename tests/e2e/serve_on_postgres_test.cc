// What `recur serve --db` does with a PostgreSQL database that a SQLite file has no counterpart
// for: how the database is named (never with its password), what an unreachable one does, and
// that the sandbox gateway's records live in it rather than in files, the PostgreSQL-only
// settings refused beside a SQLite file or out of range, and a restart of PostgreSQL under a
// running server, idle and under load (on a cluster of the test's own, so that the tests beside
// it keep theirs). Built into the suite's PostgreSQL run only (recur_e2e_postgres_tests).
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"
#include "tests/support/webhook_receiver.h"

namespace recur::testing::serve_on_postgres_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassword = "hunter2-never-printed";

class ServeOnPostgresTest : public ServeTest {
 protected:
  // The test database's connection words, by keyword.
  std::map<std::string, std::string> Words() const {
    std::map<std::string, std::string> words;
    PQconninfoOption* options = PQconninfoParse(database().c_str(), nullptr);
    for (PQconninfoOption* option = options; option && option->keyword; ++option) {
      if (option->val != nullptr) words[option->keyword] = option->val;
    }
    PQconninfoFree(options);
    return words;
  }

  // The test database as a URI with a password (the test cluster trusts its clients, so any
  // password lets them in), with `port` in place of the cluster's when given.
  std::string UriWithPassword(const std::string& port = "") {
    std::map<std::string, std::string> words = Words();
    return "postgresql://" + words["user"] + ":" + kPassword + "@" + words["host"] + ":" +
           (port.empty() ? words["port"] : port) + "/" + words["dbname"];
  }

  // POST /v1/payers of a new user payer, under `key` as Idempotency-Key unless it is empty.
  static httplib::Result SignUp(httplib::Client& client, const std::string& external_id,
                                const std::string& key) {
    httplib::Headers headers = Auth();
    if (!key.empty()) headers.emplace("Idempotency-Key", key);
    return client.Post(
        "/v1/payers", headers,
        nlohmann::json{
            {"external_id", external_id}, {"type", "user"}, {"email", external_id + "@example.com"}}
            .dump(),
        "application/json");
  }

  std::string NameWithoutPassword(const std::string& port = "") {
    std::map<std::string, std::string> words = Words();
    return "postgresql://" + words["user"] + "@" + words["host"] + ":" +
           (port.empty() ? words["port"] : port) + "/" + words["dbname"];
  }
};

TEST_F(ServeOnPostgresTest, TheListeningLineNamesTheDatabaseWithoutItsPassword) {
  RecurServer::Options options = Options();
  options.db = UriWithPassword();
  server_ = RecurServer::Start(options);
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(Call("GET", "/v1/plans?payer_type=user").status, 200);
  ASSERT_TRUE(server_->WaitForStderr("\"event\":\"listening\"", std::chrono::seconds(5)));
  EXPECT_THAT(server_->Stderr(), HasSubstr("\"db\":\"" + NameWithoutPassword() + "\""));
  EXPECT_THAT(server_->Stderr(), Not(HasSubstr(kPassword)));
  EXPECT_THAT(server_->Stdout(), Not(HasSubstr(kPassword)));
}

TEST_F(ServeOnPostgresTest, AnUnreachableDatabaseExitsWithTwoNamingItsHostAndDatabase) {
  // Port 1 of the loopback address, where no PostgreSQL listens.
  const int port = 1;
  RecurServer::Options options = Options();
  options.db = UriWithPassword(std::to_string(port));
  int exit_code = 0;
  std::string output;
  EXPECT_EQ(RecurServer::Start(options, &exit_code, &output), nullptr);
  EXPECT_EQ(exit_code, 2) << output;
  EXPECT_THAT(output, HasSubstr("recur serve: cannot open the database: connecting to PostgreSQL " +
                                NameWithoutPassword(std::to_string(port))));
  EXPECT_THAT(output, Not(HasSubstr(kPassword)));
}

TEST_F(ServeOnPostgresTest, AMissingDatabaseExitsWithTwoNamingIt) {
  std::map<std::string, std::string> words = Words();
  RecurServer::Options options = Options();
  options.db = "host=" + words["host"] + " port=" + words["port"] + " user=" + words["user"] +
               " password=" + kPassword + " dbname=no_such_database";
  int exit_code = 0;
  std::string output;
  EXPECT_EQ(RecurServer::Start(options, &exit_code, &output), nullptr);
  EXPECT_EQ(exit_code, 2) << output;
  EXPECT_THAT(output, HasSubstr("/no_such_database"));
  EXPECT_THAT(output, HasSubstr("\"no_such_database\" does not exist"));
  EXPECT_THAT(output, Not(HasSubstr(kPassword)));
}

TEST_F(ServeOnPostgresTest, PostgresSettingsAreRefusedBesideASqliteFile) {
  for (const char* flag : {"--db-pool", "--db-statement-timeout", "--lease"}) {
    CommandResult run = RunRecur(
        {"serve", "--db", db_path(), "--plans", plans_dir(), "--addr", "127.0.0.1:0", flag, "4"});
    EXPECT_EQ(run.exit_code, 2) << flag;
    EXPECT_THAT(run.err, HasSubstr(std::string(flag) + " is for a PostgreSQL database")) << flag;
  }
  for (const char* bad : {"0", "1001", "many"}) {
    CommandResult run = RunRecur({"serve", "--db", database(), "--plans", plans_dir(), "--addr",
                                  "127.0.0.1:0", "--db-pool", bad});
    EXPECT_EQ(run.exit_code, 2) << bad;
    EXPECT_THAT(run.err, HasSubstr("--db-pool must be a number of connections")) << bad;
  }
  for (const char* bad : {"0s", "10", "2h", "soon"}) {
    CommandResult run = RunRecur({"serve", "--db", database(), "--plans", plans_dir(), "--addr",
                                  "127.0.0.1:0", "--db-statement-timeout", bad});
    EXPECT_EQ(run.exit_code, 2) << bad;
    EXPECT_THAT(run.err, HasSubstr("--db-statement-timeout must be a duration")) << bad;
  }
  for (const char* bad : {"0s", "500ms", "61m", "60", "soon", "off"}) {
    CommandResult run = RunRecur({"serve", "--db", database(), "--plans", plans_dir(), "--addr",
                                  "127.0.0.1:0", "--lease", bad});
    EXPECT_EQ(run.exit_code, 2) << bad;
    EXPECT_THAT(run.err, HasSubstr("--lease must be a duration from 1s to 1h")) << bad;
  }
}

TEST_F(ServeOnPostgresTest, ALeaseFromTheEnvironmentIsRefusedOutOfRange) {
  RecurServer::Options options = Options();
  options.env["RECUR_LEASE"] = "2h";
  int exit_code = 0;
  std::string output;
  EXPECT_EQ(RecurServer::Start(options, &exit_code, &output), nullptr);
  EXPECT_EQ(exit_code, 2) << output;
  EXPECT_THAT(output, HasSubstr("--lease must be a duration from 1s to 1h in ms, s or m, like "
                                "60s; got \"2h\""));
}

TEST_F(ServeOnPostgresTest, TheSandboxGatewayKeepsItsChargesInTheDatabaseAndNoFileIsMade) {
  const std::string charge_id = ChargeOnceAndStop();

  EXPECT_EQ(StoredNumber("SELECT COUNT(*) FROM sandbox_charges"), 1);
  EXPECT_EQ(StoredText("SELECT charge_id FROM sandbox_charges WHERE status = 'paid'"), charge_id);
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    files.push_back(entry.path().filename());
  }
  EXPECT_THAT(files, ::testing::ElementsAre("plans"));
}

// A throwaway cluster of the test's own (tools/pg-cluster.sh), removed when the test ends.
class OwnCluster {
 public:
  explicit OwnCluster(std::string folder) : folder_(std::move(folder)) {
    CommandResult started = Run("start");
    if (started.exit_code != 0) throw std::runtime_error("no cluster: " + started.err);
    conninfo_ = started.out.substr(0, started.out.find('\n'));
  }
  ~OwnCluster() { Run("stop"); }
  OwnCluster(const OwnCluster&) = delete;
  OwnCluster& operator=(const OwnCluster&) = delete;

  const std::string& conninfo() const { return conninfo_; }
  // Stops the server (fast: its connections are ended), keeping the data; Resume starts it
  // again on the same port.
  void Halt() { ASSERT_EQ(Run("halt").exit_code, 0); }
  void Resume() { ASSERT_EQ(Run("resume").exit_code, 0); }

 private:
  CommandResult Run(const std::string& command) const {
    return RunCommand({std::string(RECUR_SOURCE_DIR) + "/tools/pg-cluster.sh", command, folder_});
  }

  std::string folder_;
  std::string conninfo_;
};

TEST_F(ServeOnPostgresTest, WhilePostgresRestartsRequestsFailAtOnceAndAfterwardsNothingIsLost) {
  OwnCluster cluster(dir_ / "cluster");
  Receiver receiver;
  RecurServer::Options options = Options();
  options.db = cluster.conninfo();
  options.args = {"--webhook-allow-cidr", "127.0.0.0/8"};
  server_ = RecurServer::Start(options);
  ASSERT_NE(server_, nullptr);
  ASSERT_EQ(Call("POST", "/v1/webhook_endpoints", {{"url", receiver.Url()}}).status, 200);
  const std::string before = NewPayer("before", "pm_card_visa");
  ASSERT_EQ(
      Call("POST", "/v1/payers/" + before + "/subscription_items", {{"plan", "business"}}).status,
      200);
  const std::vector<nlohmann::json> acknowledged = Events(before);
  const std::size_t events_before = Events().size();
  ASSERT_TRUE(receiver.WaitFor(events_before));

  cluster.Halt();
  Answer down = Call("POST", "/v1/payers",
                     {{"external_id", "while_down"}, {"type", "user"}, {"email", "w@example.com"}});
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.body["error"]["code"], "unavailable") << down.body;

  cluster.Resume();
  // Back without a restart of recur: what was acknowledged is there, new changes are made, and
  // the dispatcher delivers them by itself.
  EXPECT_EQ(Events(before), acknowledged);
  const std::string after = NewPayer("after", "pm_card_visa");
  ASSERT_EQ(
      Call("POST", "/v1/payers/" + after + "/subscription_items", {{"plan", "business"}}).status,
      200);
  EXPECT_EQ(Call("GET", "/v1/payers/" + before).body["external_id"], "before");
  const std::size_t events_after = Events().size();
  EXPECT_GT(events_after, events_before);
  EXPECT_TRUE(receiver.WaitFor(events_after));
  // The payer refused while PostgreSQL was down was not made: making it now is no conflict.
  EXPECT_EQ(Call("POST", "/v1/payers",
                 {{"external_id", "while_down"}, {"type", "user"}, {"email", "w@example.com"}})
                .status,
            200);
  server_.reset();
}

TEST_F(ServeOnPostgresTest, ItIsNotReadyWhilePostgresIsStoppedAndReadyAgainAfter) {
  OwnCluster cluster(dir_ / "cluster");
  RecurServer::Options options = Options();
  options.db = cluster.conninfo();
  server_ = RecurServer::Start(options);
  ASSERT_NE(server_, nullptr);
  const auto readiness = [&] {
    auto answer = server_->Client().Get("/readyz");
    if (!answer) throw std::runtime_error("no HTTP answer to GET /readyz");
    return Answer{answer->status, nlohmann::json::parse(answer->body)};
  };
  ASSERT_TRUE(WaitUntil("GET /readyz answering 200", [&] { return readiness().status == 200; }));

  cluster.Halt();
  Answer refused;
  ASSERT_TRUE(WaitUntil("GET /readyz answering 503", [&] {
    refused = readiness();
    return refused.status == 503;
  }));
  EXPECT_EQ(refused.body["error"]["code"], "not_ready") << refused.body;
  EXPECT_THAT(refused.body["error"]["message"].get<std::string>(), HasSubstr("database"))
      << refused.body;

  cluster.Resume();
  EXPECT_TRUE(
      WaitUntil("GET /readyz answering 200 again", [&] { return readiness().status == 200; }));
  server_.reset();
}

// Clients writing without pause through a restart of PostgreSQL: sign-ups, and sign-ups under an
// Idempotency-Key. Each answer is a success or a fast 503 `unavailable`; every acknowledged one
// is there afterwards; service comes back without restarting recur. How long the failures took
// and how soon after the cluster's return the first success came are recorded (test properties
// `slowest_failure_ms`, `back_after_ms`), not asserted: they depend on the machine.
TEST_F(ServeOnPostgresTest, UnderLoadARestartFailsRequestsFastAndLosesNothingAcknowledged) {
  OwnCluster cluster(dir_ / "cluster");
  RecurServer::Options options = Options();
  options.db = cluster.conninfo();
  server_ = RecurServer::Start(options);
  ASSERT_NE(server_, nullptr);

  struct Outcome {
    std::string external_id;
    std::string key;  // Idempotency-Key; empty: none
    int status = 0;   // 0: no HTTP answer
    nlohmann::json body;
    std::chrono::steady_clock::time_point sent_at, answered_at;
  };
  std::mutex outcomes_mutex;
  std::vector<Outcome> outcomes;
  std::atomic<bool> stop = false;
  std::atomic<int> next = 0;
  auto count = [&](auto&& which) {
    std::lock_guard lock(outcomes_mutex);
    return std::count_if(outcomes.begin(), outcomes.end(), which);
  };
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, keyed = c % 2 == 1] {
      auto client = server_->Client();
      client.set_read_timeout(std::chrono::seconds(30));
      while (!stop) {
        Outcome outcome;
        outcome.external_id = "load_" + std::to_string(next++);
        if (keyed) outcome.key = "key-" + outcome.external_id;
        outcome.sent_at = std::chrono::steady_clock::now();
        auto result = SignUp(client, outcome.external_id, outcome.key);
        outcome.answered_at = std::chrono::steady_clock::now();
        if (result) {
          outcome.status = result->status;
          outcome.body = nlohmann::json::parse(result->body, nullptr, false);
        }
        std::lock_guard lock(outcomes_mutex);
        outcomes.push_back(std::move(outcome));
      }
    });
  }
  auto succeeded = [](const Outcome& outcome) { return outcome.status == 200; };
  auto failed = [](const Outcome& outcome) { return outcome.status != 200; };
  EXPECT_TRUE(PollUntil([&] { return count(succeeded) >= 50; }));
  cluster.Halt();
  EXPECT_TRUE(PollUntil([&] { return count(failed) >= 20; }));
  cluster.Resume();
  const auto resumed_at = std::chrono::steady_clock::now();
  auto succeeded_after_resume = [&](const Outcome& outcome) {
    return outcome.status == 200 && outcome.sent_at >= resumed_at;
  };
  EXPECT_TRUE(PollUntil([&] { return count(succeeded_after_resume) >= 50; }));
  stop = true;
  for (std::thread& client : clients) client.join();

  std::chrono::milliseconds slowest_failure{0}, back_after{0};
  std::optional<std::chrono::steady_clock::time_point> first_back;
  int acknowledged = 0, refused = 0;
  for (const Outcome& outcome : outcomes) {
    if (outcome.status == 200) {
      ++acknowledged;
      if (outcome.sent_at >= resumed_at && (!first_back || outcome.answered_at < *first_back)) {
        first_back = outcome.answered_at;
      }
      continue;
    }
    ++refused;
    EXPECT_EQ(outcome.status, 503) << outcome.external_id << " " << outcome.body;
    EXPECT_EQ(outcome.body["error"]["code"], "unavailable") << outcome.body;
    slowest_failure =
        std::max(slowest_failure, std::chrono::duration_cast<std::chrono::milliseconds>(
                                      outcome.answered_at - outcome.sent_at));
  }
  if (first_back) {
    back_after = std::chrono::duration_cast<std::chrono::milliseconds>(*first_back - resumed_at);
  }
  // Every acknowledged sign-up is stored; a keyed one asked again answers as it did.
  for (const Outcome& outcome : outcomes) {
    if (outcome.status != 200) continue;
    const std::string id = outcome.body["id"];
    Answer stored = Call("GET", "/v1/payers/" + id);
    EXPECT_EQ(stored.status, 200) << outcome.external_id;
    EXPECT_EQ(stored.body["external_id"], outcome.external_id);
    if (!outcome.key.empty()) {
      auto client = server_->Client();
      auto again = SignUp(client, outcome.external_id, outcome.key);
      ASSERT_TRUE(again);
      EXPECT_EQ(nlohmann::json::parse(again->body)["id"], id) << outcome.key;
    }
  }
  RecordProperty("acknowledged", acknowledged);
  RecordProperty("refused", refused);
  RecordProperty("slowest_failure_ms", static_cast<int>(slowest_failure.count()));
  RecordProperty("back_after_ms", static_cast<int>(back_after.count()));
  std::printf(
      "restart under load: %d acknowledged, %d refused (the slowest in %lld ms), the "
      "first success %lld ms after the cluster was back\n",
      acknowledged, refused, static_cast<long long>(slowest_failure.count()),
      static_cast<long long>(back_after.count()));
  server_.reset();
}

}  // namespace
}  // namespace recur::testing::serve_on_postgres_test
