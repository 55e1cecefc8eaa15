// Secrets at rest through the real `recur serve`: the database, its companions, the sandbox's
// file and the lock are the owner's alone (0600), a file left open to others is fixed with a
// warning, and no secret (the API key, a wrong key a client sent, webhook secrets, the
// entitlement signing key) reaches the logs.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <sstream>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::secrets_at_rest_test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

mode_t ModeOf(const std::string& path) {
  struct stat status;
  if (::stat(path.c_str(), &status) != 0) throw std::runtime_error("no file " + path);
  return status.st_mode & 07777;
}

// The files of the running server's database beside it, those that exist.
std::vector<std::string> ExistingFiles(const std::string& db) {
  std::vector<std::string> files;
  for (const std::string& base : {db, db + ".sandbox"}) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      if (fs::exists(base + suffix)) files.push_back(base + suffix);
    }
  }
  if (fs::exists(db + ".lock")) files.push_back(db + ".lock");
  return files;
}

TEST_F(ServeTest, TheDatabaseAndEveryFileBesideItAreTheOwnersAlone) {
  Serve();
  // A charge, so that the sandbox's file has a WAL too.
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items",
                 {{"plan", "pro"}, {"free_trial", false}})
                .status,
            200);
  const std::vector<std::string> files = ExistingFiles(db_path());
  for (const std::string& expected :
       {db_path(), db_path() + "-wal", db_path() + "-shm", db_path() + ".sandbox",
        db_path() + ".sandbox-wal", db_path() + ".lock"}) {
    EXPECT_THAT(files, ::testing::Contains(expected));
  }
  for (const std::string& file : files) EXPECT_EQ(ModeOf(file), 0600u) << file;
}

TEST_F(ServeTest, ADatabaseFileOpenToOthersIsMadePrivateWithAWarningNamingItsOldMode) {
  Serve();
  server_->Signal(SIGKILL);  // leaves the WAL and SHM files behind
  ASSERT_EQ(server_->WaitForExit(10s), 128 + SIGKILL);
  fs::permissions(db_path(), fs::perms(0644));
  fs::permissions(db_path() + "-wal", fs::perms(0640));
  fs::permissions(db_path() + ".sandbox", fs::perms(0604));

  Serve();
  std::vector<json> warnings;
  std::istringstream lines(server_->Stderr());
  for (std::string line; std::getline(lines, line);) {
    json entry = json::parse(line);
    if (entry["event"] == "database_file_made_private") warnings.push_back(entry);
  }
  ASSERT_EQ(warnings.size(), 3u) << server_->Stderr();
  EXPECT_EQ(warnings[0]["level"], "warn");
  EXPECT_EQ(warnings[0]["file"], db_path());
  EXPECT_EQ(warnings[0]["old_mode"], "0644");
  EXPECT_EQ(warnings[0]["mode"], "0600");
  EXPECT_EQ(warnings[1]["file"], db_path() + "-wal");
  EXPECT_EQ(warnings[1]["old_mode"], "0640");
  EXPECT_EQ(warnings[2]["file"], db_path() + ".sandbox");
  EXPECT_EQ(warnings[2]["old_mode"], "0604");
  for (const std::string& file : ExistingFiles(db_path())) EXPECT_EQ(ModeOf(file), 0600u) << file;
}

// Every secret the server holds or is sent, after the routes that handle them have run.
TEST_F(ServeTest, NoSecretReachesTheLogs) {
  RecurServer::Options options = Options();
  options.args = {"--webhook-allow-cidr", "127.0.0.0/8"};
  server_ = RecurServer::Start(options);
  ASSERT_TRUE(server_);
  std::vector<std::string> secrets = {kTestSecretKey};

  // Webhook secrets: made, shown, rotated; deliveries to a port where nothing listens fail.
  Answer endpoint = Call("POST", "/v1/webhook_endpoints", {{"url", "http://127.0.0.1:1/hook"}});
  ASSERT_EQ(endpoint.status, 200) << endpoint.body;
  const std::string endpoint_id = endpoint.body["id"];
  secrets.push_back(endpoint.body["secret"]);
  Answer rotated = Call("POST", "/v1/webhook_endpoints/" + endpoint_id + "/rotate_secret");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  secrets.push_back(rotated.body["secret"]);
  EXPECT_EQ(Call("GET", "/v1/webhook_endpoints/" + endpoint_id).status, 200);
  EXPECT_EQ(Call("POST", "/v1/webhook_endpoints",
                 {{"url", "http://127.0.0.1:1/"}, {"secret", "whsec_c2VjcmV0IG9mIGEgY2xpZW50"}})
                .status,
            400);
  secrets.push_back("whsec_c2VjcmV0IG9mIGEgY2xpZW50");

  // The signing key signs a token; the payer's events are delivered (and fail).
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  EXPECT_EQ(Call("POST", "/v1/payers/" + payer + "/entitlement_token", json::object()).status, 200);
  ASSERT_TRUE(WaitUntil("a failed delivery attempt", [&] {
    return !Call("GET", "/v1/webhook_endpoints/" + endpoint_id + "/attempts").body["data"].empty();
  }));

  // Wrong keys sent by clients, on keyed routes and on the pricing table.
  auto client = server_->Client();
  const std::string near_miss = std::string(kTestSecretKey) + "X";
  const std::string other_key = "sk_live_someOtherSystemsKey0123456789abcdef";
  for (const std::string& key : {near_miss, other_key}) {
    secrets.push_back(key);
    for (const std::string& path : {"/v1/payers/" + payer, "/v1/pricing_table?payer_id=" + payer}) {
      auto refused = client.Get(path, {{"Authorization", "Bearer " + key}});
      ASSERT_TRUE(refused);
      EXPECT_EQ(refused->status, 401);
    }
    auto unschemed = client.Post("/v1/payers", {{"Authorization", key}}, "{}", "application/json");
    ASSERT_TRUE(unschemed);
    EXPECT_EQ(unschemed->status, 401);
  }
  // The real key in the wrong place: without its scheme.
  auto unschemed = client.Get("/v1/payers/" + payer, {{"Authorization", kTestSecretKey}});
  ASSERT_TRUE(unschemed);
  EXPECT_EQ(unschemed->status, 401);

  // The entitlement signing key, as stored.
  {
    std::istringstream lines(
        StoredText("SELECT value FROM settings WHERE key = 'entitlement_signing_key_pem'"));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && !line.starts_with("-----")) secrets.push_back(line);
    }
  }
  ASSERT_GT(secrets.size(), 8u);

  server_->Signal(SIGTERM);
  ASSERT_TRUE(server_->WaitForStderr("\"event\":\"stopped\"", kPatience));  // the last line
  const std::string logs = server_->Stderr();
  ASSERT_THAT(logs, HasSubstr("\"event\":\"http_request\""));
  for (const std::string& secret : secrets) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << "the log holds " << secret;
    const std::string bare = secret.starts_with("whsec_") ? secret.substr(6) : secret;
    EXPECT_EQ(logs.find(bare), std::string::npos) << "the log holds " << bare;
  }
  EXPECT_THAT(server_->Stdout(), IsEmpty());  // a configured key is never printed
}

}  // namespace
}  // namespace recur::testing::secrets_at_rest_test
