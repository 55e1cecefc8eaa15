// recur backup DEST against a running `recur serve` on SQLite: a copy taken while clients keep
// subscribing payers (each a charge in the sandbox's ledger) passes SQLite's integrity check, and
// `recur serve --db DEST` serves every subscription acknowledged before the backup began. An
// existing DEST, and a PostgreSQL database, are refused without a change.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::backup_test {
namespace {

using ::testing::HasSubstr;

std::string IntegrityOf(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  return db.execAndGet("PRAGMA integrity_check").getString();
}

std::string ContentOf(const std::string& path) {
  std::ifstream file(path);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

class BackupTest : public ServeTest {
 protected:
  void SetUp() override {
    if (OnPostgres()) GTEST_SKIP() << "recur backup copies a SQLite database";
    ServeTest::SetUp();
  }
  std::string backup_path() const { return dir_ / "backup.db"; }
};

TEST_F(BackupTest, ACopyTakenUnderWriteLoadServesEverySubscriptionAcknowledgedBeforeIt) {
  Serve();
  std::mutex mutex;
  std::vector<std::string> subscribed;
  std::atomic<bool> stop = false;
  std::vector<std::thread> writers;
  for (int writer = 0; writer < 3; ++writer) {
    writers.emplace_back([&, writer] {
      for (int i = 0; !stop; ++i) {
        const std::string payer =
            NewPayer("user_" + std::to_string(writer) + "_" + std::to_string(i), "pm_card_visa");
        // A paid plan: a charge in the sandbox's ledger, then the subscription in the store.
        if (Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "business"}})
                .status != 200) {
          continue;
        }
        std::lock_guard lock(mutex);
        subscribed.push_back(payer);
      }
    });
  }
  ASSERT_TRUE(WaitUntil("20 payers subscribed", [&] {
    std::lock_guard lock(mutex);
    return subscribed.size() >= 20;
  }));
  std::vector<std::string> acknowledged_before;
  {
    std::lock_guard lock(mutex);
    acknowledged_before = subscribed;
  }
  const CommandResult backup = RunRecur({"backup", backup_path(), "--db", db_path()});
  std::size_t acknowledged_after = 0;
  {
    std::lock_guard lock(mutex);
    acknowledged_after = subscribed.size();
  }
  stop = true;
  for (std::thread& writer : writers) writer.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.out, HasSubstr(backup_path() + ".sandbox"));
  // The writes went on while the copy was made.
  EXPECT_GT(acknowledged_after, acknowledged_before.size());

  EXPECT_EQ(IntegrityOf(backup_path()), "ok");
  EXPECT_EQ(IntegrityOf(backup_path() + ".sandbox"), "ok");
  EXPECT_EQ(std::filesystem::status(backup_path()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  // The copy, served on its own beside the original.
  RecurServer::Options restored = Options();
  restored.db = backup_path();
  server_ = RecurServer::Start(restored);
  ASSERT_TRUE(server_);
  for (const std::string& payer : acknowledged_before) {
    const Answer subscription = Call("GET", "/v1/payers/" + payer + "/subscription");
    ASSERT_EQ(subscription.status, 200) << payer << ": " << subscription.body;
    EXPECT_THAT(subscription.body.dump(), HasSubstr("\"business\"")) << payer;
    const Answer attempts = Call("GET", "/v1/payment_attempts?payer_id=" + payer);
    ASSERT_EQ(attempts.status, 200);
    EXPECT_FALSE(attempts.body["data"].empty()) << payer << " has no charge in the copy";
  }
}

TEST_F(BackupTest, AnExistingDestinationIsRefusedAndLeftAsItIs) {
  Serve();
  WriteFile(backup_path(), "an older backup");
  const CommandResult over_file = RunRecur({"backup", backup_path(), "--db", db_path()});
  EXPECT_EQ(over_file.exit_code, 1);
  EXPECT_THAT(over_file.err, HasSubstr(backup_path() + " already exists"));
  EXPECT_EQ(ContentOf(backup_path()), "an older backup");

  const std::string other = dir_ / "other.db";
  WriteFile(other + ".sandbox", "an older ledger");
  const CommandResult over_ledger = RunRecur({"backup", other}, ".", {{"RECUR_DB", db_path()}});
  EXPECT_EQ(over_ledger.exit_code, 1);
  EXPECT_THAT(over_ledger.err, HasSubstr(other + ".sandbox already exists"));
  EXPECT_FALSE(std::filesystem::exists(other));
  EXPECT_EQ(ContentOf(other + ".sandbox"), "an older ledger");
}

TEST_F(BackupTest, AMissingDatabaseOrAPostgresqlOneIsRefused) {
  const CommandResult missing = RunRecur({"backup", backup_path(), "--db", dir_ / "no-such.db"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("there is no database file at " + (dir_ / "no-such.db")));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "no-such.db"));

  const CommandResult postgres =
      RunRecur({"backup", backup_path(), "--db", "postgresql://127.0.0.1:1/recur"});
  EXPECT_EQ(postgres.exit_code, 2);
  EXPECT_THAT(postgres.err, HasSubstr("pg_dump"));
  EXPECT_FALSE(std::filesystem::exists(backup_path()));
}

}  // namespace
}  // namespace recur::testing::backup_test
