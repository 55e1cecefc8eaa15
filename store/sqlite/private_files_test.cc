// The files of a SQLite database are the owner's alone: made so by the store, and fixed (with a
// report of each change) when an older or hand-made file is open to others.
#include "store/sqlite/private_files.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "store/sqlite/sqlite_sandbox_ledger.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/temporary_folder.h"

namespace recur::private_files_test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

mode_t ModeOf(const std::string& path) {
  struct stat status;
  if (::stat(path.c_str(), &status) != 0) return 07777;
  return status.st_mode & 07777;
}

// The process's umask, set for the life of the object.
class Umask {
 public:
  explicit Umask(mode_t mask) : before_(::umask(mask)) {}
  ~Umask() { ::umask(before_); }

 private:
  mode_t before_;
};

class PrivateFilesTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_ / name; }

  TemporaryFolder dir_;
};

TEST_F(PrivateFilesTest, TheStoreMakesItsDatabaseAndItsWalCompanionsPrivate) {
  const Umask usual(022);  // which alone would give 0644
  {
    SeededIdGenerator ids(1);
    auto store = SqliteStore::Open(Path("recur.db"), ids, Instant{});
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->PutSetting("written", "so that the WAL holds a page"));
    for (const std::string& file : DatabaseFiles(Path("recur.db"))) {
      if (fs::exists(file)) {
        EXPECT_EQ(ModeOf(file), 0600u) << file;
      }
    }
    EXPECT_TRUE(fs::exists(Path("recur.db-wal")));
    EXPECT_TRUE(fs::exists(Path("recur.db-shm")));
  }
}

TEST_F(PrivateFilesTest, TheSandboxLedgerFileIsPrivateToo) {
  const Umask usual(022);
  {
    auto ledger = SqliteSandboxLedger::Open(Path("recur.db.sandbox"));
    ASSERT_TRUE(ledger) << ledger.error().message;
    for (const std::string& file : DatabaseFiles(Path("recur.db.sandbox"))) {
      if (fs::exists(file)) {
        EXPECT_EQ(ModeOf(file), 0600u) << file;
      }
    }
    EXPECT_TRUE(fs::exists(Path("recur.db.sandbox-wal")));
  }
}

TEST_F(PrivateFilesTest, AnExistingDatabaseFileKeepsItsModeWhenOpened) {
  // Only a missing file is made here; an existing one is the operator's (and fixed, with a
  // report, by MakeDatabaseFilesPrivate).
  std::ofstream(Path("recur.db")).close();
  fs::permissions(Path("recur.db"), fs::perms(0640));
  ASSERT_TRUE(CreatePrivateDatabaseFile(Path("recur.db")));
  EXPECT_EQ(ModeOf(Path("recur.db")), 0640u);
}

TEST_F(PrivateFilesTest, FilesOpenToOthersAreMadePrivateAndEachChangeIsReported) {
  for (const char* name : {"recur.db", "recur.db-wal", "recur.db-shm"}) {
    std::ofstream(Path(name)).close();
  }
  fs::permissions(Path("recur.db"), fs::perms(0644));
  fs::permissions(Path("recur.db-wal"), fs::perms(0600));
  fs::permissions(Path("recur.db-shm"), fs::perms(0660));
  auto changes = MakeDatabaseFilesPrivate(Path("recur.db"));
  ASSERT_TRUE(changes) << changes.error().message;
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].path, Path("recur.db"));
  EXPECT_EQ(ModeText((*changes)[0].old_mode), "0644");
  EXPECT_EQ(ModeText((*changes)[0].new_mode), "0600");
  EXPECT_EQ((*changes)[1].path, Path("recur.db-shm"));
  EXPECT_EQ(ModeText((*changes)[1].old_mode), "0660");
  for (const char* name : {"recur.db", "recur.db-wal", "recur.db-shm"}) {
    EXPECT_EQ(ModeOf(Path(name)), 0600u) << name;
  }
  auto again = MakeDatabaseFilesPrivate(Path("recur.db"));
  ASSERT_TRUE(again);
  EXPECT_THAT(*again, IsEmpty());
}

TEST_F(PrivateFilesTest, AMissingDatabaseHasNothingToChange) {
  auto changes = MakeDatabaseFilesPrivate(Path("none.db"));
  ASSERT_TRUE(changes);
  EXPECT_THAT(*changes, IsEmpty());
}

}  // namespace
}  // namespace recur::private_files_test
