// ConsoleSessions on a memory store: signing in takes the key in force and nothing else, what a
// token and its CSRF token look like, that only the token's hash is kept, expiry by the injected
// clock, and signing out.
#include "services/sessions/console_sessions.h"

#include <gtest/gtest.h>

#include "base/sha256.h"
#include "store/memory/memory_console_session_store.h"

namespace recur::console_sessions_test {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const Instant kT0 = FromUnixMillis(1'700'000'000'000);
constexpr std::string_view kKey = "sk_test_0123456789012345678901234567890";

class ConsoleSessionsTest : public ::testing::Test {
 protected:
  MemoryConsoleSessionStore store_;
  ManualClock clock_{kT0};
  ConsoleSessions sessions_{store_, clock_, hours(8),
                            [](std::string_view presented) { return presented == kKey; }};
};

TEST_F(ConsoleSessionsTest, AWrongKeyIsUnauthenticatedNamingTheKey) {
  for (std::string_view wrong : {std::string_view("sk_test_wrong"), std::string_view()}) {
    auto refused = sessions_.SignIn(wrong);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::kUnauthenticated);
    EXPECT_EQ(refused.error().code, "unauthorized");
    EXPECT_EQ(refused.error().param, "secret_key");
  }
}

TEST_F(ConsoleSessionsTest, ATokenIsLongAndRandomAndOnlyItsHashIsKept) {
  auto first = sessions_.SignIn(kKey);
  auto second = sessions_.SignIn(kKey);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->token.starts_with("cs_"));
  EXPECT_EQ(first->token.size(), 3u + 43u);
  EXPECT_NE(first->token, second->token);
  EXPECT_TRUE(first->session.id.starts_with("csess_"));
  EXPECT_NE(first->session.id, second->session.id);
  EXPECT_NE(first->session.csrf_token, second->session.csrf_token);
  EXPECT_EQ(first->session.expires_at, kT0 + hours(8));
  auto kept = store_.FindConsoleSession(Sha256Hex(first->token));
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->id, first->session.id);
  EXPECT_FALSE(*store_.FindConsoleSession(first->token));  // never by the token itself
}

TEST_F(ConsoleSessionsTest, TheCsrfTokenIsTheSameOnEveryReadAndTellsNothingOfTheToken) {
  auto made = sessions_.SignIn(kKey);
  ASSERT_TRUE(made);
  auto found = sessions_.Find(made->token);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->csrf_token, made->session.csrf_token);
  EXPECT_EQ((*found)->id, made->session.id);
  EXPECT_EQ((*found)->expires_at, made->session.expires_at);
  EXPECT_EQ(made->session.csrf_token.find(made->token), std::string::npos);
  EXPECT_NE(made->session.csrf_token, Sha256Hex(made->token));  // not the stored hash
}

TEST_F(ConsoleSessionsTest, ASessionEndsWhenItExpiresByTheClock) {
  auto made = sessions_.SignIn(kKey);
  ASSERT_TRUE(made);
  clock_.Advance(hours(8) - seconds(1));
  auto before = sessions_.Find(made->token);
  ASSERT_TRUE(before);
  EXPECT_TRUE(*before);
  clock_.Advance(seconds(1));
  auto after = sessions_.Find(made->token);
  ASSERT_TRUE(after);
  EXPECT_FALSE(*after);
}

TEST_F(ConsoleSessionsTest, SigningOutEndsThatSessionAloneAndMayBeRepeated) {
  auto one = sessions_.SignIn(kKey);
  auto other = sessions_.SignIn(kKey);
  ASSERT_TRUE(one && other);
  ASSERT_TRUE(sessions_.End(one->token));
  EXPECT_FALSE(*sessions_.Find(one->token));
  EXPECT_TRUE(*sessions_.Find(other->token));
  EXPECT_TRUE(sessions_.End(one->token));
}

TEST_F(ConsoleSessionsTest, AnythingButASessionsTokenFindsNothing) {
  auto made = sessions_.SignIn(kKey);
  ASSERT_TRUE(made);
  EXPECT_FALSE(*sessions_.Find(""));
  EXPECT_FALSE(*sessions_.Find(kKey));
  EXPECT_FALSE(*sessions_.Find(made->session.csrf_token));
  EXPECT_FALSE(*sessions_.Find(made->token + "x"));
}

}  // namespace
}  // namespace recur::console_sessions_test
