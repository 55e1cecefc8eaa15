// PayerSessions on memory stores: what a token looks like, that only its hash is kept, the
// lifetime's bounds, expiry by the injected clock, revocation, and unknown payers.
#include "services/sessions/payer_sessions.h"

#include <gtest/gtest.h>

#include "base/sha256.h"
#include "store/memory/memory_account_store.h"
#include "store/memory/memory_payer_session_store.h"
#include "tests/support/new_payer.h"

namespace recur::payer_sessions_test {
namespace {

using std::chrono::seconds;

const Instant kT0 = FromUnixMillis(1'700'000'000'000);

class PayerSessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AccountStore& accounts = accounts_;
    ASSERT_TRUE(accounts.SaveTransition(nullptr, payer_, {}, {}));
  }

  SeededIdGenerator ids_{5};
  MemoryAccountStore accounts_;
  MemoryPayerSessionStore store_;
  ManualClock clock_{kT0};
  PayerSessions sessions_{store_, accounts_, clock_};
  const Account payer_ = NewPayerAccount(ids_, "user_1", kT0);
};

TEST_F(PayerSessionsTest, ATokenIsLongAndRandomAndOnlyItsHashIsKept) {
  auto first = sessions_.Create(payer_.payer.id, seconds(60));
  auto second = sessions_.Create(payer_.payer.id, seconds(60));
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->token.starts_with("ps_"));
  EXPECT_EQ(first->token.size(), 3u + 43u);
  EXPECT_NE(first->token, second->token);
  auto by_token = store_.FindPayerSession(first->token);
  ASSERT_TRUE(by_token);
  EXPECT_FALSE(*by_token);  // the token itself is no key of the store
  auto by_hash = store_.FindPayerSession(Sha256Hex(first->token));
  ASSERT_TRUE(by_hash && *by_hash);
  EXPECT_EQ((*by_hash)->payer_id, payer_.payer.id);
}

TEST_F(PayerSessionsTest, ASessionActsForItsPayerUntilItExpiresByTheClock) {
  auto made = sessions_.Create(payer_.payer.id, seconds(60));
  ASSERT_TRUE(made);
  EXPECT_EQ(made->expires_at, kT0 + seconds(60));
  auto payer = sessions_.PayerOf(made->token);
  ASSERT_TRUE(payer);
  EXPECT_EQ(*payer, payer_.payer.id);
  clock_.Advance(std::chrono::milliseconds(59'999));
  EXPECT_TRUE(*sessions_.PayerOf(made->token));
  clock_.Advance(std::chrono::milliseconds(1));
  auto expired = sessions_.PayerOf(made->token);
  ASSERT_TRUE(expired);
  EXPECT_FALSE(*expired);
}

TEST_F(PayerSessionsTest, ARevokedSessionActsForNoOne) {
  auto made = sessions_.Create(payer_.payer.id, seconds(60));
  ASSERT_TRUE(made);
  auto revoked = sessions_.RevokeAll(payer_.payer.id);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(*revoked, 1);
  EXPECT_FALSE(*sessions_.PayerOf(made->token));
}

TEST_F(PayerSessionsTest, ALifetimeOutsideOneSecondToADayIsRefusedNamingTtlSeconds) {
  for (const seconds ttl : {seconds(0), seconds(-5), seconds(86401)}) {
    auto made = sessions_.Create(payer_.payer.id, ttl);
    ASSERT_FALSE(made) << ttl.count();
    EXPECT_EQ(made.error().code, "invalid_parameter");
    EXPECT_EQ(made.error().param, "ttl_seconds");
  }
  EXPECT_TRUE(sessions_.Create(payer_.payer.id, seconds(86400)));
}

TEST_F(PayerSessionsTest, AnUnknownPayerHasNoSessionsToMakeOrRevoke) {
  auto made = sessions_.Create("cpayer_nope", seconds(60));
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, "payer_not_found");
  auto revoked = sessions_.RevokeAll("cpayer_nope");
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, "payer_not_found");
}

TEST_F(PayerSessionsTest, ATokenNoSessionHasActsForNoOne) {
  EXPECT_FALSE(*sessions_.PayerOf("ps_nothing"));
  EXPECT_FALSE(*sessions_.PayerOf("sk_live_not_a_session"));
  EXPECT_FALSE(*sessions_.PayerOf(""));
}

}  // namespace
}  // namespace recur::payer_sessions_test
