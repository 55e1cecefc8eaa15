// The abuse limits of the real `recur serve`, each set small by its flag: failed
// authentications and public requests per client address, payment attempts per payer, and
// load shedding of writes while the database is held. Each limit answers in the one error format
// with Retry-After, a limited client is served again once it has waited as long as it was told,
// and a well-behaved client of the same server is not affected. The limited client connects
// from 127.0.0.2, the well-behaved one from 127.0.0.1.
#include <future>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"
#include "tests/e2e/raw_connection.h"

namespace recur::testing::abuse_limits_test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kOtherClient = "127.0.0.2";
constexpr const char* kWrongKey = "sk_test_wrongwrongwrongwrongwrongwrongwrong";

class AbuseLimitsTest : public ServeTest {
 protected:
  RecurServer& ServeWith(std::vector<std::string> args) {
    RecurServer::Options options = Options();
    options.args = std::move(args);
    server_ = RecurServer::Start(options);
    if (!server_) throw std::runtime_error("recur serve did not start");
    return *server_;
  }

  // `method path` sent from `source` with `key` (none: no Authorization), on a connection of
  // its own.
  RawAnswer Ask(const char* source, const std::string& method, const std::string& path,
                const std::string& key = "", const std::string& body = "") {
    RawConnection connection(server_->port(), source);
    EXPECT_TRUE(connection.connected());
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: x\r\n";
    if (!key.empty()) request += "Authorization: Bearer " + key + "\r\n";
    if (!body.empty()) {
      request +=
          "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n";
    }
    connection.Send(request + "\r\n" + body);
    return ParseAnswer(connection.Read(kPatience));
  }

  // Sends `ask` until it is answered 429 (at most `tries` times); the 429, or the last answer.
  template <typename Ask>
  static RawAnswer UntilLimited(Ask&& ask, int tries = 50) {
    RawAnswer answer;
    for (int i = 0; i < tries && answer.status != 429; ++i) answer = ask();
    return answer;
  }

  // Expects a 429 rate_limited in the one error format, and returns its Retry-After.
  static std::chrono::seconds ExpectRateLimited(const RawAnswer& answer) {
    EXPECT_EQ(answer.status, 429) << answer.head;
    EXPECT_EQ(answer.error["code"], "rate_limited") << answer.error.dump();
    EXPECT_TRUE(answer.error["message"].is_string());
    const std::string retry_after = HeaderValue(answer, "Retry-After");
    EXPECT_THAT(retry_after, ::testing::MatchesRegex("[1-9][0-9]*")) << answer.head;
    return std::chrono::seconds(retry_after.empty() ? 0 : std::stoi(retry_after));
  }
};

TEST_F(AbuseLimitsTest, AnAddressGuessingKeysIsRefusedBeforeItsKeyIsCheckedUntilItWaits) {
  // One failure of three comes back every 5 s: time enough for the checks below.
  ServeWith({"--limit-failed-auth", "3/15s"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Ask(kOtherClient, "GET", "/v1/payers/cpayer_x", kWrongKey).status, 401) << i;
  }
  const RawAnswer limited =
      UntilLimited([&] { return Ask(kOtherClient, "GET", "/v1/payers/cpayer_x", kWrongKey); });
  const std::chrono::seconds wait = ExpectRateLimited(limited);
  EXPECT_THAT(limited.error["message"].get<std::string>(),
              HasSubstr("too many failed authentications from 127.0.0.2"));
  EXPECT_LE(wait, std::chrono::seconds(5));
  // Refused before the key is checked: the right key from that address is refused too, and so
  // is a write, whose body is not read.
  ExpectRateLimited(Ask(kOtherClient, "GET", "/v1/events", kTestSecretKey));
  ExpectRateLimited(Ask(kOtherClient, "POST", "/v1/payers", kTestSecretKey, R"({"a": 1})"));
  // Public routes need no key, so they are not refused.
  EXPECT_EQ(Ask(kOtherClient, "GET", "/v1/plans").status, 200);
  // A well-behaved client of the same server is not affected.
  auto own = server_->Client().Get("/v1/events", Auth());
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200);

  std::this_thread::sleep_for(wait);
  EXPECT_EQ(Ask(kOtherClient, "GET", "/v1/events", kTestSecretKey).status, 200);
}

TEST_F(AbuseLimitsTest, PublicRequestsPastTheRateOfAnAddressAreRefusedUntilItWaits) {
  ServeWith({"--limit-public", "3/6s"});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Ask(kOtherClient, "GET", "/v1/plans").status, 200) << i;
  const RawAnswer limited = UntilLimited([&] { return Ask(kOtherClient, "GET", "/v1/plans"); });
  const std::chrono::seconds wait = ExpectRateLimited(limited);
  EXPECT_THAT(limited.error["message"].get<std::string>(),
              HasSubstr("too many requests to public endpoints from 127.0.0.2"));
  EXPECT_LE(wait, std::chrono::seconds(2));
  // Another address has its own budget, and routes that need the key are not counted.
  auto plans = server_->Client().Get("/v1/plans");
  ASSERT_TRUE(plans);
  EXPECT_EQ(plans->status, 200);
  EXPECT_EQ(Ask(kOtherClient, "GET", "/v1/events", kTestSecretKey).status, 200);

  std::this_thread::sleep_for(wait);
  EXPECT_EQ(Ask(kOtherClient, "GET", "/v1/plans").status, 200);
}

TEST_F(AbuseLimitsTest, APayerPastItsPaymentAttemptsIsRefusedWithoutACharge) {
  ServeWith({"--limit-payment-attempts", "2/10s"});
  const std::string payer = NewPayer("declining", "pm_card_chargeCustomerFail");
  const std::string checkout = "/v1/payers/" + payer + "/subscription_items";
  const json business = {{"plan", "business"}};
  for (int i = 0; i < 2; ++i) EXPECT_EQ(Call("POST", checkout, business).status, 402) << i;

  auto client = server_->Client();
  httplib::Headers keyed = Auth();
  keyed.emplace("Idempotency-Key", "checkout-after-the-limit");
  const auto limited = [&] {
    return client.Post(checkout, keyed, business.dump(), "application/json");
  };
  auto refused = limited();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429) << refused->body;
  const json error = json::parse(refused->body)["error"];
  EXPECT_EQ(error["code"], "rate_limited");
  EXPECT_EQ(error["param"], "payer_id");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr(payer));
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("2/10s per payer"));
  const int wait = std::stoi(refused->get_header_value("Retry-After"));
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 5);
  // Nothing was charged or stored for the refused attempt.
  EXPECT_EQ(Call("GET", "/v1/payment_attempts?payer_id=" + payer).body["data"].size(), 2u);
  // Another payer is not affected.
  const std::string paying = NewPayer("paying", "pm_card_visa");
  EXPECT_EQ(Call("POST", "/v1/payers/" + paying + "/subscription_items", business).status, 200);

  std::this_thread::sleep_for(std::chrono::seconds(wait));
  // The refused request's key was not kept: the retry runs, and the card is charged again.
  auto retried = limited();
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->status, 402) << retried->body;
  EXPECT_EQ(Call("GET", "/v1/payment_attempts?payer_id=" + payer).body["data"].size(), 3u);
}

TEST_F(AbuseLimitsTest, WritesPastTheBoundOfPendingWritesGet503WhileReadsAreAnswered) {
  ServeWith({"--limit-pending-writes", "2"});
  const std::string payer = NewPayer("reader");
  // Another process holds the database's write lock, so every write the server takes waits
  // behind it (up to the store's busy timeout of 5 s) and stays pending.
  SQLite::Database other(db_path(), SQLite::OPEN_READWRITE);
  std::optional<SQLite::Transaction> hold;
  hold.emplace(other, SQLite::TransactionBehavior::EXCLUSIVE);
  struct WriteAnswer {
    int status = 0;
    std::string code;
    std::string retry_after;
  };
  std::vector<std::future<WriteAnswer>> writes;
  for (int i = 0; i < 6; ++i) {
    writes.push_back(std::async(std::launch::async, [&, i] {
      auto created = server_->Client().Post("/v1/payers", Auth(),
                                            json{{"external_id", "writer-" + std::to_string(i)},
                                                 {"type", "user"},
                                                 {"email", "w@example.com"}}
                                                .dump(),
                                            "application/json");
      if (!created) return WriteAnswer{};
      const json body = json::parse(created->body, nullptr, false);
      return WriteAnswer{created->status,
                         body.contains("error") ? body["error"]["code"].get<std::string>() : "",
                         created->get_header_value("Retry-After")};
    }));
  }
  const auto answered = [&] {
    std::size_t ready = 0;
    for (auto& write : writes) {
      ready += write.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    }
    return ready;
  };
  // Two are taken and wait; the other four are shed, answered at once.
  ASSERT_TRUE(PollUntil([&] { return answered() >= 4; }));
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < writes.size(); ++i) {
    if (writes[i].wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      pending.push_back(i);
      continue;
    }
    const WriteAnswer shed = writes[i].get();
    EXPECT_EQ(shed.status, 503) << i;
    EXPECT_EQ(shed.code, "overloaded") << i;
    EXPECT_EQ(shed.retry_after, "1") << i;
  }
  EXPECT_EQ(pending.size(), 2u);
  // Reads are answered meanwhile.
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer).status, 200);
  auto plans = server_->Client().Get("/v1/plans");
  ASSERT_TRUE(plans);
  EXPECT_EQ(plans->status, 200);

  hold.reset();  // rolled back: the pending writes go on, and none is lost
  for (std::size_t i : pending) EXPECT_EQ(writes[i].get().status, 200) << i;
  EXPECT_EQ(Call("POST", "/v1/payers",
                 {{"external_id", "after"}, {"type", "user"}, {"email", "a@example.com"}})
                .status,
            200);
}

TEST_F(AbuseLimitsTest, ALimitThatIsNotARateStopsTheServerFromStartingNamingTheFlag) {
  for (const auto& [flag, value] :
       std::vector<std::pair<std::string, std::string>>{{"--limit-failed-auth", "20"},
                                                        {"--limit-public", "0/1m"},
                                                        {"--limit-payment-attempts", "10/1w"},
                                                        {"--limit-pending-writes", "-1"}}) {
    CommandResult run = RunRecur(
        {"serve", "--db", db_path(), "--plans", plans_dir(), "--addr", "127.0.0.1:0", flag, value});
    EXPECT_EQ(run.exit_code, 2) << flag;
    EXPECT_THAT(run.err, HasSubstr(flag + " must be")) << run.err;
    EXPECT_THAT(run.err, HasSubstr("\"" + value + "\"")) << run.err;
  }
}

}  // namespace
}  // namespace recur::testing::abuse_limits_test
