#include "domain/subscriptions/statement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace recur::statement_test {
namespace {

using std::chrono::days;
using std::chrono::hours;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::SizeIs;

const Instant kCycleStart = FromUnixMillis(1'735'689'600'000);  // 2025-01-01T00:00:00Z
const Instant kCycleEnd = kCycleStart + days(31);

PaymentAttempt Attempt(std::string id, AttemptStatus status, Instant made,
                       std::int64_t amount = 2000) {
  PaymentAttempt attempt;
  attempt.id = std::move(id);
  attempt.status = status;
  attempt.amount = amount;
  attempt.currency = "USD";
  attempt.period_start = kCycleStart;
  attempt.period_end = kCycleEnd;
  attempt.created_at = made;
  return attempt;
}

TEST(StatementIdOf, NamesThePayerTheCycleStartAndTheCurrency) {
  EXPECT_EQ(StatementIdOf("cpayer_2g7np7Hrk0SN6kj5EDMLDaKNL0S", kCycleStart, "USD"),
            "stmt_2g7np7Hrk0SN6kj5EDMLDaKNL0S_1735689600000_usd");
  EXPECT_NE(StatementIdOf("cpayer_a", kCycleStart, "USD"),
            StatementIdOf("cpayer_a", kCycleEnd, "USD"));
  EXPECT_NE(StatementIdOf("cpayer_a", kCycleStart, "USD"),
            StatementIdOf("cpayer_b", kCycleStart, "USD"));
  EXPECT_NE(StatementIdOf("cpayer_a", kCycleStart, "USD"),
            StatementIdOf("cpayer_a", kCycleStart, "EUR"))
      << "one statement per currency of a cycle";
}

TEST(MakeStatement, CountsWhatWasPaidAndGroupsAttemptsByDayNewestFirst) {
  // A declined conversion, a declined retry the same day, and a paid retry three days later.
  const Statement statement =
      MakeStatement("stmt_a_1", "cpayer_a",
                    {Attempt("cpay_3", AttemptStatus::kPaid, kCycleStart + days(3)),
                     Attempt("cpay_1", AttemptStatus::kFailed, kCycleStart),
                     Attempt("cpay_2", AttemptStatus::kFailed, kCycleStart + hours(5))},
                    kCycleStart + days(4), false);
  EXPECT_EQ(statement.paid_total, 2000);
  EXPECT_EQ(statement.currency, "USD");
  EXPECT_EQ(statement.cycle_start, kCycleStart);
  EXPECT_EQ(statement.cycle_end, kCycleEnd);
  EXPECT_EQ(statement.created_at, kCycleStart);
  EXPECT_EQ(statement.status, StatementStatus::kOpen);
  ASSERT_THAT(statement.groups, SizeIs(2));
  EXPECT_EQ(statement.groups[0].day, kCycleStart + days(3));
  EXPECT_THAT(statement.groups[0].attempts, ElementsAre(Field(&PaymentAttempt::id, "cpay_3")));
  EXPECT_EQ(statement.groups[1].day, kCycleStart);
  EXPECT_THAT(statement.groups[1].attempts, ElementsAre(Field(&PaymentAttempt::id, "cpay_1"),
                                                        Field(&PaymentAttempt::id, "cpay_2")));
}

TEST(MakeStatement, AGroupIsAUtcDay) {
  const Statement statement =
      MakeStatement("stmt_a_1", "cpayer_a",
                    {Attempt("cpay_1", AttemptStatus::kPaid, kCycleStart + hours(23)),
                     Attempt("cpay_2", AttemptStatus::kPaid, kCycleStart + hours(25))},
                    kCycleStart, false);
  ASSERT_THAT(statement.groups, SizeIs(2));
  EXPECT_EQ(statement.groups[0].day, kCycleStart + days(1));
  EXPECT_EQ(statement.groups[1].day, kCycleStart);
  EXPECT_EQ(statement.paid_total, 4000);
}

TEST(MakeStatement, ClosesWhenItsCycleEndsOrTheNextBegins) {
  const std::vector<PaymentAttempt> paid{Attempt("cpay_1", AttemptStatus::kPaid, kCycleStart)};
  EXPECT_EQ(MakeStatement("s", "p", paid, kCycleEnd - std::chrono::milliseconds(1), false).status,
            StatementStatus::kOpen);
  EXPECT_EQ(MakeStatement("s", "p", paid, kCycleEnd, false).status, StatementStatus::kClosed);
  EXPECT_EQ(MakeStatement("s", "p", paid, kCycleStart + days(1), true).status,
            StatementStatus::kClosed);
  EXPECT_EQ(StatementStatusName(StatementStatus::kOpen), "open");
  EXPECT_EQ(StatementStatusName(StatementStatus::kClosed), "closed");
}

TEST(MakeStatement, RefusesAttemptsInTwoCurrencies) {
  PaymentAttempt euros = Attempt("cpay_2", AttemptStatus::kPaid, kCycleStart);
  euros.currency = "EUR";
  EXPECT_THROW(
      MakeStatement("s", "p", {Attempt("cpay_1", AttemptStatus::kPaid, kCycleStart), euros},
                    kCycleStart, false),
      std::logic_error);
}

}  // namespace
}  // namespace recur::statement_test
