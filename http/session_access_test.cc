// The rule of what a payer session may reach, one test per kind of refusal.
#include "http/session_access.h"

#include <gtest/gtest.h>

namespace recur::session_access_test {
namespace {

const PayerOfResource kItems = [](const std::string& item) -> Result<std::optional<std::string>> {
  if (item == "csubi_mine") return std::optional<std::string>("cpayer_me");
  if (item == "csubi_theirs") return std::optional<std::string>("cpayer_other");
  if (item == "csubi_broken") {
    return MakeError(ErrorKind::kUnavailable, "database_unavailable", "the database is down");
  }
  return std::optional<std::string>();
};

const PayerOfResource kStatements =
    [](const std::string& statement) -> Result<std::optional<std::string>> {
  if (statement == "stmt_mine") return std::optional<std::string>("cpayer_me");
  if (statement == "stmt_theirs") return std::optional<std::string>("cpayer_other");
  return std::optional<std::string>();
};

const PayerOfResource kAttempts =
    [](const std::string& attempt) -> Result<std::optional<std::string>> {
  if (attempt == "cpay_mine") return std::optional<std::string>("cpayer_me");
  if (attempt == "cpay_theirs") return std::optional<std::string>("cpayer_other");
  return std::optional<std::string>();
};

std::optional<SessionRefusal> Refusal(Access access, std::vector<std::string> params,
                                      ApiRequest::QueryParams query = {}) {
  return RefuseSessionRequest(access, params, query, "cpayer_me", {kItems, kStatements, kAttempts});
}

TEST(SessionAccessTest, ARouteForTheSecretKeyOnlyIsForbidden) {
  auto refused = Refusal(Access::kSecretKey, {"cpayer_me"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->error.code, "forbidden");
}

TEST(SessionAccessTest, TheConsolesSessionRoutesAreForbiddenAndItsSignInIsLeftToItsHandler) {
  auto refused = Refusal(Access::kConsoleSession, {});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->error.code, "forbidden");
  EXPECT_FALSE(Refusal(Access::kConsoleSignIn, {}));
}

TEST(SessionAccessTest, ItsOwnPayerAndItemsAndPublicRoutesAreAllowed) {
  EXPECT_FALSE(Refusal(Access::kPayerSession, {"cpayer_me"}));
  EXPECT_FALSE(Refusal(Access::kPayerSession, {"cpayer_me", "seats"}));
  EXPECT_FALSE(Refusal(Access::kItemSession, {"csubi_mine"}));
  EXPECT_FALSE(Refusal(Access::kPublicUnlessPayer, {}));
  EXPECT_FALSE(Refusal(Access::kPublicUnlessPayer, {}, {{"payer_id", "cpayer_me"}}));
  EXPECT_FALSE(Refusal(Access::kPublicUnlessPayer, {}, {{"payer_type", "user"}}));
  EXPECT_FALSE(Refusal(Access::kPublic, {}));
}

TEST(SessionAccessTest, AnotherPayersIdIsAnsweredAsAPayerThatDoesNotExist) {
  auto refused = Refusal(Access::kPayerSession, {"cpayer_other"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 404);
  EXPECT_EQ(refused->error.code, "payer_not_found");
  EXPECT_EQ(refused->error.message, "no payer cpayer_other");
  EXPECT_EQ(refused->error.param, "payer_id");
  auto named = Refusal(Access::kPublicUnlessPayer, {}, {{"payer_id", "cpayer_other"}});
  ASSERT_TRUE(named);
  EXPECT_EQ(named->error.code, "payer_not_found");
  EXPECT_EQ(named->error.message, "no payer cpayer_other");
}

TEST(SessionAccessTest, AnotherPayersItemIsAnsweredAsAnItemThatDoesNotExist) {
  auto theirs = Refusal(Access::kItemSession, {"csubi_theirs"});
  auto none = Refusal(Access::kItemSession, {"csubi_none"});
  ASSERT_TRUE(theirs && none);
  EXPECT_EQ(theirs->status, 404);
  EXPECT_EQ(theirs->error.code, "item_not_found");
  EXPECT_EQ(theirs->error.message, "no subscription item csubi_theirs");
  EXPECT_EQ(theirs->error.param, "id");
}

TEST(SessionAccessTest, AnotherPayersStatementIsAnsweredAsAStatementThatDoesNotExist) {
  EXPECT_FALSE(Refusal(Access::kStatementSession, {"stmt_mine"}));
  auto theirs = Refusal(Access::kStatementSession, {"stmt_theirs"});
  auto none = Refusal(Access::kStatementSession, {"stmt_none"});
  ASSERT_TRUE(theirs && none);
  EXPECT_EQ(theirs->status, 404);
  EXPECT_EQ(theirs->error.code, "statement_not_found");
  EXPECT_EQ(theirs->error.message, "no statement stmt_theirs");
  EXPECT_EQ(none->error.message, "no statement stmt_none");
}

TEST(SessionAccessTest, AnItemWhoseOwnerCannotBeReadIsNotJudgedAllowed) {
  auto refused = Refusal(Access::kItemSession, {"csubi_broken"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->error.kind, ErrorKind::kUnavailable);
  EXPECT_EQ(refused->status, 0);  // answered with its kind's status, 503
}

TEST(SessionAccessTest, AnotherPayersAttemptIsAnsweredAsAnAttemptThatDoesNotExist) {
  EXPECT_FALSE(Refusal(Access::kAttemptSession, {"cpay_mine"}));
  auto theirs = Refusal(Access::kAttemptSession, {"cpay_theirs"});
  auto none = Refusal(Access::kAttemptSession, {"cpay_none"});
  ASSERT_TRUE(theirs && none);
  EXPECT_EQ(theirs->status, 404);
  EXPECT_EQ(theirs->error.code, "attempt_not_found");
  EXPECT_EQ(theirs->error.message, "no payment attempt cpay_theirs");
  EXPECT_EQ(none->error.message, "no payment attempt cpay_none");
}

}  // namespace
}  // namespace recur::session_access_test
