// The console's cookie and CSRF rules (console_access.h): which cookie is the session's, when a
// request is judged by it, which changes are refused and how, and the Set-Cookie values.
#include "http/console_access.h"

#include <gtest/gtest.h>

namespace recur::console_access_test {
namespace {

HttpHeaders Headers(std::initializer_list<std::pair<std::string, std::string>> pairs) {
  HttpHeaders headers;
  for (const auto& [name, value] : pairs) headers.emplace(name, value);
  return headers;
}

TEST(ConsoleCookieTest, IsFoundAmongOtherCookiesInAnyCookieHeader) {
  EXPECT_EQ(ConsoleCookie(Headers({{"Cookie", "recur_console=cs_abc"}})), "cs_abc");
  EXPECT_EQ(ConsoleCookie(Headers({{"Cookie", "theme=dark; recur_console=cs_abc; lang=en"}})),
            "cs_abc");
  EXPECT_EQ(ConsoleCookie(Headers({{"cookie", "a=1"}, {"Cookie", " recur_console = cs_abc "}})),
            "cs_abc");
  EXPECT_EQ(ConsoleCookie(Headers({{"Cookie", "recur_console=\"cs_abc\""}})), "cs_abc");
}

TEST(ConsoleCookieTest, IsNoneWhenAbsentEmptyOrOnlyASimilarName) {
  EXPECT_FALSE(ConsoleCookie(Headers({})));
  EXPECT_FALSE(ConsoleCookie(Headers({{"Cookie", "recur_console="}})));
  EXPECT_FALSE(ConsoleCookie(Headers({{"Cookie", "xrecur_console=cs_abc; recur_consolex=cs"}})));
  EXPECT_FALSE(ConsoleCookie(Headers({{"Cookie", "recur_console"}})));
  EXPECT_FALSE(ConsoleCookie(Headers({{"X-Cookie", "recur_console=cs_abc"}})));
}

TEST(ConsoleCookieTest, AnAuthorizationHeaderWinsOverTheCookie) {
  EXPECT_TRUE(JudgedByConsoleCookie(Headers({{"Cookie", "recur_console=cs_abc"}})));
  EXPECT_FALSE(JudgedByConsoleCookie(
      Headers({{"Cookie", "recur_console=cs_abc"}, {"Authorization", "Bearer sk_wrong"}})));
  EXPECT_FALSE(JudgedByConsoleCookie(Headers({{"Cookie", "other=1"}})));
}

TEST(CsrfTest, ReadsNeedNoToken) {
  EXPECT_FALSE(RefuseWithoutCsrfToken("GET", Headers({}), "csrf_right"));
  EXPECT_FALSE(RefuseWithoutCsrfToken("HEAD", Headers({}), "csrf_right"));
}

TEST(CsrfTest, AChangeWithoutTheTokenIsRefusedAsMissing) {
  for (std::string_view method : {"POST", "PATCH", "PUT", "DELETE"}) {
    auto refused = RefuseWithoutCsrfToken(method, Headers({}), "csrf_right");
    ASSERT_TRUE(refused) << method;
    EXPECT_EQ(refused->status, 403);
    EXPECT_EQ(refused->error.code, "csrf_token_missing");
    EXPECT_EQ(refused->error.param, "X-CSRF-Token");
  }
  auto empty = RefuseWithoutCsrfToken("POST", Headers({{"X-CSRF-Token", ""}}), "csrf_right");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->error.code, "csrf_token_missing");
}

TEST(CsrfTest, AChangeWithAnotherTokenIsRefusedAsInvalid) {
  for (std::string_view sent : {"csrf_wrong", "csrf_righ", "csrf_right ", "CSRF_RIGHT"}) {
    auto refused = RefuseWithoutCsrfToken("POST", Headers({{"X-CSRF-Token", std::string(sent)}}),
                                          "csrf_right");
    ASSERT_TRUE(refused) << sent;
    EXPECT_EQ(refused->status, 403);
    EXPECT_EQ(refused->error.code, "csrf_token_invalid");
  }
}

TEST(CsrfTest, AChangeWithTheTokenGoesOnWhateverTheHeadersCase) {
  EXPECT_FALSE(
      RefuseWithoutCsrfToken("POST", Headers({{"x-csrf-token", "csrf_right"}}), "csrf_right"));
  EXPECT_FALSE(
      RefuseWithoutCsrfToken("DELETE", Headers({{"X-CSRF-Token", "csrf_right"}}), "csrf_right"));
}

TEST(SessionCookieTest, CarriesTheAttributesAndSecureOnlyOverHttps) {
  EXPECT_EQ(ConsoleSessionCookie("cs_abc", std::chrono::hours(8), false),
            "recur_console=cs_abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800");
  EXPECT_EQ(ConsoleSessionCookie("cs_abc", std::chrono::seconds(60), true),
            "recur_console=cs_abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
  EXPECT_EQ(ClearedConsoleSessionCookie(false),
            "recur_console=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  EXPECT_EQ(ClearedConsoleSessionCookie(true),
            "recur_console=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure");
}

}  // namespace
}  // namespace recur::console_access_test
