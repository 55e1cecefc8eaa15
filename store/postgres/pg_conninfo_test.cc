// How a --db value is told to be PostgreSQL, and that the names made of a connection string
// for logs and messages never hold its password.
#include "store/postgres/pg_conninfo.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace recur::pg_conninfo_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PgConninfoTest, UrisAndKeywordWordsArePostgresAndEverythingElseIsAFile) {
  EXPECT_TRUE(IsPostgresConninfo("postgresql://recur@db1:5432/recur"));
  EXPECT_TRUE(IsPostgresConninfo("postgres://db1/recur"));
  EXPECT_TRUE(IsPostgresConninfo("host=db1 dbname=recur"));
  EXPECT_TRUE(IsPostgresConninfo("  dbname = recur"));
  EXPECT_FALSE(IsPostgresConninfo("recur.db"));
  EXPECT_FALSE(IsPostgresConninfo("/srv/recur/recur.db"));
  EXPECT_FALSE(IsPostgresConninfo("./host=db1.db"));
  EXPECT_FALSE(IsPostgresConninfo("postgresql:recur.db"));
  EXPECT_FALSE(IsPostgresConninfo(""));
}

TEST(PgConninfoTest, TheDatabaseIsNamedWithoutItsPassword) {
  EXPECT_EQ(DescribeConninfo("postgresql://recur:hunter2@db1:5433/billing"),
            "postgresql://recur@db1:5433/billing");
  EXPECT_EQ(DescribeConninfo("host=db1 user=recur password=hunter2 dbname=billing"),
            "postgresql://recur@db1/billing");
  EXPECT_EQ(DescribeConninfo("postgresql://db1/billing?password=hunter2"),
            "postgresql://db1/billing");
  EXPECT_EQ(DescribeConninfo("host=/run/postgresql dbname=billing"),
            "postgresql:///billing?host=/run/postgresql");
}

TEST(PgConninfoTest, EachHostOfAFailoverListIsNamedWithItsOwnPort) {
  EXPECT_EQ(DescribeConninfo(
                "postgresql://recur@db1:5432,db2:5433/billing?target_session_attrs=read-write"),
            "postgresql://recur@db1:5432,db2:5433/billing");
  EXPECT_EQ(DescribeConninfo("host=db1,db2 port=5432 dbname=billing"),
            "postgresql://db1:5432,db2:5432/billing");
  EXPECT_EQ(DescribeConninfo("host=db1,db2 dbname=billing"), "postgresql://db1,db2/billing");
}

TEST(PgConninfoTest, AnUnreadableStringSaysWhyUnlessItHoldsAPassword) {
  Status plain = CheckConninfo("host=db1 dbname");
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, "database_invalid");
  EXPECT_THAT(plain.error().message, HasSubstr("dbname"));

  for (const char* secret : {"host=db1 password=hunter2 nonsense hunter2",
                             "postgresql://recur:hunter2@db1/x?nonsense=hunter2"}) {
    Status refused = CheckConninfo(secret);
    ASSERT_FALSE(refused) << secret;
    EXPECT_THAT(refused.error().message, Not(HasSubstr("hunter2"))) << secret;
  }
  EXPECT_TRUE(CheckConninfo("postgresql://recur:hunter2@db1/x"));
}

}  // namespace
}  // namespace recur::pg_conninfo_test
