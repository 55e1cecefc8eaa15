// DatabaseLock: one holder per database, however the database's path is spelled, released when
// the holder goes.
#include "store/sqlite/database_lock.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temporary_folder.h"

namespace recur::database_lock_test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class DatabaseLockTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_ / name; }

  TemporaryFolder dir_;
};

TEST_F(DatabaseLockTest, ASecondLockOnTheSameDatabaseIsRefusedNamingTheHolder) {
  auto first = DatabaseLock::Acquire(Path("recur.db"));
  ASSERT_TRUE(first) << first.error().message;
  auto second = DatabaseLock::Acquire(Path("recur.db"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, "database_in_use");
  EXPECT_THAT(second.error().message,
              HasSubstr("the database " + Path("recur.db") + " is served by another process (pid " +
                        std::to_string(::getpid()) + ", holding the lock on " +
                        Path("recur.db.lock") + ")"));
}

TEST_F(DatabaseLockTest, ALockIsFreeAgainOnceItsHolderIsGone) {
  { ASSERT_TRUE(DatabaseLock::Acquire(Path("recur.db"))); }
  auto again = DatabaseLock::Acquire(Path("recur.db"));
  EXPECT_TRUE(again) << again.error().message;
}

TEST_F(DatabaseLockTest, LocksOfTwoDatabasesDoNotMeet) {
  auto first = DatabaseLock::Acquire(Path("one.db"));
  auto second = DatabaseLock::Acquire(Path("two.db"));
  EXPECT_TRUE(first && second);
}

TEST_F(DatabaseLockTest, TwoSpellingsOfOnePathMeetAtOneLock) {
  fs::create_directory(dir_.path() / "sub");
  auto first = DatabaseLock::Acquire(Path("recur.db"));
  ASSERT_TRUE(first);
  const fs::path relative =
      fs::relative(dir_.path(), fs::current_path()) / "sub" / ".." / "recur.db";
  auto second = DatabaseLock::Acquire("./" + relative.string());
  ASSERT_FALSE(second) << relative;
  EXPECT_EQ(second.error().code, "database_in_use");
}

TEST_F(DatabaseLockTest, ASymbolicLinkMeetsTheLockOfItsTarget) {
  // The target need not exist yet: SQLite would create it through the link.
  fs::create_symlink(Path("real.db"), Path("link.db"));
  auto through_link = DatabaseLock::Acquire(Path("link.db"));
  ASSERT_TRUE(through_link);
  EXPECT_EQ(through_link->path(), Path("real.db.lock"));
  auto direct = DatabaseLock::Acquire(Path("real.db"));
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().code, "database_in_use");
}

TEST_F(DatabaseLockTest, TheLockFileHoldsTheHoldersPidAndIsPrivate) {
  auto lock = DatabaseLock::Acquire(Path("recur.db"));
  ASSERT_TRUE(lock);
  std::ifstream file(lock->path());
  long pid = 0;
  file >> pid;
  EXPECT_EQ(pid, ::getpid());
  struct stat status;
  ASSERT_EQ(::stat(lock->path().c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
}

TEST_F(DatabaseLockTest, AFolderThatDoesNotExistIsAnErrorNamingTheLockFile) {
  auto lock = DatabaseLock::Acquire(Path("missing/recur.db"));
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code, "database_lock_failed");
  EXPECT_THAT(lock.error().message,
              HasSubstr("cannot open the lock file " + Path("missing/recur.db.lock") +
                        ": No such file or directory"));
}

}  // namespace
}  // namespace recur::database_lock_test
