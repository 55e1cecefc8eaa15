// Console sessions through the real `recur serve`: signing in with the secret key (a wrong key is
// 401, sets no cookie, keeps nothing and counts as a failed authentication), the cookie's
// attributes (Secure when a trusted proxy says the request came over HTTPS), the cookie as a
// credential on the routes of the secret key, the CSRF token every change needs, signing out, a
// session that expires by the server's clock, and one that outlives a restart. The access log
// names a session by its id, never its token.
#include <csignal>
#include <sstream>

#include <gmock/gmock.h>

#include "base/clock.h"
#include "base/sha256.h"
#include "tests/e2e/fixture.h"

namespace recur::testing::console_sessions_test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

struct Reply {
  int status = 0;
  json body;  // null when the answer has none
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? "" : found->second;
  }
};

// A signed-in browser: its cookie's token and the session's CSRF token.
struct Browser {
  std::string token;
  std::string csrf_token;
  std::int64_t expires_at = 0;
};

class ConsoleSessionsTest : public ServeTest {
 protected:
  Reply Send(const std::string& method, const std::string& path, const httplib::Headers& headers,
             const json& body = nullptr) {
    auto client = server_->Client();
    const std::string text = body.is_null() ? "" : body.dump();
    httplib::Result result = method == "GET" ? client.Get(path, headers)
                             : method == "DELETE"
                                 ? client.Delete(path, headers)
                                 : client.Post(path, headers, text, "application/json");
    if (!result) throw std::runtime_error("no HTTP answer to " + method + " " + path);
    return {result->status, result->body.empty() ? json() : json::parse(result->body),
            result->headers};
  }

  Reply SignIn(const std::string& key, const httplib::Headers& headers = {}) {
    return Send("POST", "/v1/console/session", headers, {{"secret_key", key}});
  }

  Browser SignedIn() {
    Reply made = SignIn(kTestSecretKey);
    if (made.status != 201) throw std::runtime_error("sign-in: " + made.body.dump());
    const std::string cookie = made.Header("Set-Cookie");
    const std::size_t start = cookie.find('=') + 1;
    return {cookie.substr(start, cookie.find(';') - start), made.body["csrf_token"],
            made.body["expires_at"]};
  }

  static httplib::Headers WithCookie(const Browser& browser, const std::string& csrf = "") {
    httplib::Headers headers = {{"Cookie", "theme=dark; recur_console=" + browser.token}};
    if (!csrf.empty()) headers.emplace("X-CSRF-Token", csrf);
    return headers;
  }

  // The server's first log line of event `event`; "" when there is none.
  std::string LogLineOf(const std::string& event) const {
    std::istringstream lines(server_->Stderr());
    for (std::string line; std::getline(lines, line);) {
      if (line.find("\"event\":\"" + event + "\"") != std::string::npos) return line;
    }
    return "";
  }

  std::int64_t StoredSessions() { return StoredNumber("SELECT count(*) FROM console_sessions"); }
  std::int64_t StoredPayers() { return StoredNumber("SELECT count(*) FROM payers"); }

  static json NewPayerFields(const std::string& external_id) {
    return {{"external_id", external_id},
            {"type", "user"},
            {"email", external_id + "@example.com"},
            {"name", "Console Payer"}};
  }
};

TEST_F(ConsoleSessionsTest, AWrongKeyIs401SetsNoCookieAndKeepsNothing) {
  Serve();
  for (const std::string key : {"sk_test_wrong_wrong_wrong_wrong_wrong_wrong", ""}) {
    Reply refused = SignIn(key);
    EXPECT_EQ(refused.status, 401) << refused.body.dump();
    EXPECT_EQ(refused.body["error"]["code"], "unauthorized");
    EXPECT_EQ(refused.body["error"]["param"], "secret_key");
    EXPECT_EQ(refused.Header("Set-Cookie"), "");
  }
  Reply no_key = Send("POST", "/v1/console/session", {}, json::object());
  EXPECT_EQ(no_key.status, 400) << no_key.body.dump();
  EXPECT_EQ(StoredSessions(), 0);
  // No cookie: no session to read.
  Reply none = Send("GET", "/v1/console/session", {});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body["error"]["code"], "unauthorized");
  // A cookie that is no session's is refused the same way.
  Reply made_up = Send("GET", "/v1/console/session", WithCookie({"cs_madeup", "", 0}));
  EXPECT_EQ(made_up.status, 401);
}

TEST_F(ConsoleSessionsTest, WrongKeysCountAgainstTheAddresssFailedAuthentications) {
  Serve({"--limit-failed-auth", "3/15s"});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(SignIn("sk_test_wrong").status, 401) << i;
  // Refused before the key is checked: the right key from that address too.
  Reply limited = SignIn(kTestSecretKey);
  EXPECT_EQ(limited.status, 429) << limited.body.dump();
  EXPECT_EQ(limited.body["error"]["code"], "rate_limited");
  EXPECT_EQ(StoredSessions(), 0);
}

TEST_F(ConsoleSessionsTest, TheRightKeySetsAnHttpOnlyStrictCookieAndGivesTheCsrfToken) {
  Serve();
  const std::int64_t before = ToUnixMillis(SystemClock().Now());
  Reply made = SignIn(kTestSecretKey);
  const std::int64_t after = ToUnixMillis(SystemClock().Now());
  ASSERT_EQ(made.status, 201) << made.body.dump();
  EXPECT_EQ(made.body["object"], "console_session");
  EXPECT_THAT(made.body["csrf_token"].get<std::string>(), MatchesRegex("csrf_[0-9a-f]{64}"));
  const std::int64_t expires_at = made.body["expires_at"];
  EXPECT_GE(expires_at, before + 8 * 3'600'000);
  EXPECT_LE(expires_at, after + 8 * 3'600'000);
  EXPECT_EQ(made.Header("Cache-Control"), "no-store");
  const std::string cookie = made.Header("Set-Cookie");
  EXPECT_THAT(cookie, MatchesRegex("recur_console=cs_[0-9A-Za-z]{43}; Path=/; HttpOnly; "
                                   "SameSite=Strict; Max-Age=28800"));
  // Only the token's hash is stored.
  const std::string token = cookie.substr(14, 46);
  EXPECT_EQ(StoredNumber("SELECT count(*) FROM console_sessions WHERE token_hash = " +
                         Quoted(Sha256Hex(token))),
            1);
  EXPECT_EQ(StoredNumber("SELECT count(*) FROM console_sessions WHERE token_hash = " +
                         Quoted(token) + " OR id = " + Quoted(token)),
            0);

  // A page loaded again reads its session, and its CSRF token, back with the cookie.
  Reply read = Send("GET", "/v1/console/session", {{"Cookie", "recur_console=" + token}});
  ASSERT_EQ(read.status, 200) << read.body.dump();
  EXPECT_EQ(read.body, made.body);
}

TEST_F(ConsoleSessionsTest, TheCookieIsSecureWhenATrustedProxySaysTheRequestCameOverHttps) {
  Serve({"--trusted-proxy", "127.0.0.1"});
  EXPECT_THAT(SignIn(kTestSecretKey, {{"X-Forwarded-Proto", "https"}}).Header("Set-Cookie"),
              HasSubstr("; Secure"));
  EXPECT_THAT(SignIn(kTestSecretKey, {{"X-Forwarded-Proto", "http"}}).Header("Set-Cookie"),
              Not(HasSubstr("Secure")));
  EXPECT_THAT(SignIn(kTestSecretKey).Header("Set-Cookie"), Not(HasSubstr("Secure")));
}

TEST_F(ConsoleSessionsTest, AProxyThatIsNotTrustedCannotMakeTheCookieSecure) {
  Serve();
  EXPECT_THAT(SignIn(kTestSecretKey, {{"X-Forwarded-Proto", "https"}}).Header("Set-Cookie"),
              Not(HasSubstr("Secure")));
}

TEST_F(ConsoleSessionsTest, TheCookieReadsTheRoutesOfTheSecretKeyAndTheLogNamesTheSessionById) {
  Serve();
  const std::string payer = NewPayer("user_console_read");
  const Browser browser = SignedIn();
  Reply read = Send("GET", "/v1/payers/" + payer, WithCookie(browser));
  ASSERT_EQ(read.status, 200) << read.body.dump();
  EXPECT_EQ(read.body["id"], payer);
  Reply events = Send("GET", "/v1/events?payer_id=" + payer, WithCookie(browser));
  EXPECT_EQ(events.status, 200) << events.body.dump();
  // A route for a payer's session takes the key, so it takes the cookie too.
  EXPECT_EQ(Send("GET", "/v1/payers/" + payer + "/subscription", WithCookie(browser)).status, 200);

  const std::string session_id = StoredText("SELECT id FROM console_sessions WHERE token_hash = " +
                                            Quoted(Sha256Hex(browser.token)));
  EXPECT_THAT(session_id, MatchesRegex("csess_[0-9A-Za-z]{16}"));
  // The sign-in itself is logged with the id, so that what the session did leads back to it.
  EXPECT_THAT(LogLineOf("console_signed_in"),
              HasSubstr("\"console_session\":\"" + session_id + "\""));
  ASSERT_TRUE(server_->WaitForStderr("\"console_session\":\"" + session_id + "\"",
                                     std::chrono::seconds(5), 3));
  EXPECT_THAT(server_->Stderr(), Not(HasSubstr(browser.token)));
  EXPECT_THAT(server_->Stderr(), Not(HasSubstr(browser.csrf_token)));
}

TEST_F(ConsoleSessionsTest, AnAuthorizationHeaderIsJudgedAloneWhateverTheCookie) {
  Serve();
  const Browser browser = SignedIn();
  httplib::Headers headers = WithCookie(browser);
  headers.emplace("Authorization", "Bearer sk_test_not_the_key_not_the_key_123");
  Reply refused = Send("GET", "/v1/events", headers);
  EXPECT_EQ(refused.status, 401) << refused.body.dump();
  EXPECT_EQ(refused.body["error"]["message"], "the secret key is not valid");
}

TEST_F(ConsoleSessionsTest, AChangeWithoutTheRightCsrfTokenIs403AndChangesNothing) {
  Serve();
  const Browser browser = SignedIn();
  const std::int64_t payers = StoredPayers();

  Reply missing = Send("POST", "/v1/payers", WithCookie(browser), NewPayerFields("user_csrf"));
  EXPECT_EQ(missing.status, 403) << missing.body.dump();
  EXPECT_EQ(missing.body["error"]["code"], "csrf_token_missing");
  EXPECT_EQ(missing.body["error"]["param"], "X-CSRF-Token");
  Reply wrong = Send("POST", "/v1/payers", WithCookie(browser, "csrf_" + std::string(64, '0')),
                     NewPayerFields("user_csrf"));
  EXPECT_EQ(wrong.status, 403) << wrong.body.dump();
  EXPECT_EQ(wrong.body["error"]["code"], "csrf_token_invalid");
  // Another session's token is no better.
  const Browser other = SignedIn();
  Reply others = Send("POST", "/v1/payers", WithCookie(browser, other.csrf_token),
                      NewPayerFields("user_csrf"));
  EXPECT_EQ(others.status, 403);
  EXPECT_EQ(StoredPayers(), payers);

  Reply made = Send("POST", "/v1/payers", WithCookie(browser, browser.csrf_token),
                    NewPayerFields("user_csrf"));
  ASSERT_EQ(made.status, 200) << made.body.dump();
  EXPECT_EQ(made.body["external_id"], "user_csrf");
  EXPECT_EQ(StoredPayers(), payers + 1);
}

TEST_F(ConsoleSessionsTest, SigningOutEndsTheSessionAndClearsTheCookie) {
  Serve();
  const Browser browser = SignedIn();
  const Browser other = SignedIn();
  // Signing out is a change: it needs the CSRF token too.
  Reply refused = Send("DELETE", "/v1/console/session", WithCookie(browser));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Send("GET", "/v1/console/session", WithCookie(browser)).status, 200);

  Reply ended = Send("DELETE", "/v1/console/session", WithCookie(browser, browser.csrf_token));
  ASSERT_EQ(ended.status, 204) << ended.body.dump();
  EXPECT_TRUE(server_->WaitForStderr("\"console_signed_out\"", std::chrono::seconds(5)));
  EXPECT_EQ(ended.Header("Set-Cookie"),
            "recur_console=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  EXPECT_EQ(StoredNumber("SELECT count(*) FROM console_sessions WHERE token_hash = " +
                         Quoted(Sha256Hex(browser.token))),
            0);
  // The old cookie is no credential any more, anywhere.
  EXPECT_EQ(Send("GET", "/v1/console/session", WithCookie(browser)).status, 401);
  Reply events = Send("GET", "/v1/events", WithCookie(browser));
  EXPECT_EQ(events.status, 401);
  EXPECT_THAT(events.body["error"]["message"].get<std::string>(), HasSubstr("signed out"));
  // Another sign-in is not affected.
  EXPECT_EQ(Send("GET", "/v1/events", WithCookie(other)).status, 200);
}

TEST_F(ConsoleSessionsTest, ASessionExpiresByTheServersClock) {
  ServeOnShiftedClock({"--console-session-ttl", "1m"});
  const Browser browser = SignedIn();
  EXPECT_EQ(Send("GET", "/v1/events", WithCookie(browser)).status, 200);
  StepClockTo(59'000);
  EXPECT_EQ(Send("GET", "/v1/console/session", WithCookie(browser)).status, 200);
  StepClockTo(61'000);
  EXPECT_EQ(Send("GET", "/v1/console/session", WithCookie(browser)).status, 401);
  Reply events = Send("GET", "/v1/events", WithCookie(browser));
  EXPECT_EQ(events.status, 401);
  EXPECT_THAT(events.body["error"]["message"].get<std::string>(), HasSubstr("expired"));
}

TEST_F(ConsoleSessionsTest, ASessionHoldsAcrossARestart) {
  Serve();
  const Browser browser = SignedIn();
  server_->Signal(SIGTERM);
  ASSERT_EQ(server_->WaitForExit(std::chrono::seconds(30)), 0);
  Serve();
  Reply read = Send("GET", "/v1/console/session", WithCookie(browser));
  ASSERT_EQ(read.status, 200) << read.body.dump();
  EXPECT_EQ(read.body["csrf_token"], browser.csrf_token);
  EXPECT_EQ(read.body["expires_at"], browser.expires_at);
}

}  // namespace
}  // namespace recur::testing::console_sessions_test
