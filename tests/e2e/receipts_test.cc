// Receipts through the real `recur serve`: a paid attempt's receipt and a statement's page, as
// HTML (GET /v1/payment_attempts/{id}/receipt, GET /v1/statements/{id}/receipt), fetched with
// the secret key and with the payer's session, refused to another payer's session, refused for
// an attempt that was not paid, and answered with a policy that forbids every fetch.
#include <gmock/gmock.h>

#include "domain/receipts/receipt_html.h"
#include "tests/e2e/fixture.h"

namespace recur::testing::receipts_test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr const char* kHostileName = "<script>alert(1)</script>";

class ReceiptsTest : public ServeTest {
 protected:
  void ServeAs(const std::string& merchant) {
    RecurServer::Options options = Options();
    options.args = {"--merchant-name", merchant};
    server_ = RecurServer::Start(options);
    ASSERT_TRUE(server_) << "recur serve did not start";
  }

  struct Page {
    int status = 0;
    std::string content_type;
    std::string policy;
    std::string body;
  };

  // GET `path` with `credential` (the secret key or a payer session) as the bearer.
  Page Fetch(const std::string& path, const std::string& credential = kTestSecretKey) {
    auto client = server_->Client();
    auto result = client.Get(path, {{"Authorization", "Bearer " + credential}});
    if (!result) throw std::runtime_error("no HTTP answer to GET " + path);
    return {result->status, result->get_header_value("Content-Type"),
            result->get_header_value("Content-Security-Policy"), result->body};
  }

  std::string NewSession(const std::string& payer) {
    Answer made = Call("POST", "/v1/payers/" + payer + "/sessions");
    if (made.status != 200) throw std::runtime_error("session: " + made.body.dump());
    return made.body["token"];
  }

  // A payer named `name` who pays for Pro at once with `token`; the payer's id.
  std::string PayingPayer(const std::string& external_id, const std::string& name,
                          const std::string& token = "pm_card_visa") {
    Answer payer = Call("POST", "/v1/payers",
                        {{"external_id", external_id},
                         {"type", "user"},
                         {"email", external_id + "@example.com"},
                         {"name", name}});
    if (payer.status != 200) throw std::runtime_error("payer: " + payer.body.dump());
    const std::string id = payer.body["id"];
    Answer method = Call("POST", "/v1/payers/" + id + "/payment_methods", {{"token", token}});
    if (method.status != 200) throw std::runtime_error("method: " + method.body.dump());
    Call("POST", "/v1/payers/" + id + "/subscription_items",
         {{"plan", "pro"}, {"free_trial", false}});
    return id;
  }

  std::vector<json> Attempts(const std::string& payer) {
    return Call("GET", "/v1/payment_attempts?payer_id=" + payer).body["data"];
  }
};

TEST_F(ReceiptsTest, APaidAttemptsReceiptShowsItsPaymentWithEveryTextEscaped) {
  ServeAs("Acme & Co");
  const std::string payer = PayingPayer("user_1", kHostileName);
  const std::vector<json> attempts = Attempts(payer);
  ASSERT_THAT(attempts, SizeIs(1));
  ASSERT_EQ(attempts[0]["status"], "paid");
  const std::string attempt = attempts[0]["id"];

  const Page receipt = Fetch("/v1/payment_attempts/" + attempt + "/receipt");
  ASSERT_EQ(receipt.status, 200) << receipt.body;
  EXPECT_EQ(receipt.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(receipt.policy, kReceiptContentSecurityPolicy);
  EXPECT_THAT(receipt.body, HasSubstr("Acme &amp; Co"));
  EXPECT_THAT(receipt.body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(receipt.body, Not(HasSubstr("<script")));
  EXPECT_THAT(receipt.body, HasSubstr("user_1@example.com"));
  EXPECT_THAT(receipt.body, HasSubstr("Pro, monthly"));
  EXPECT_THAT(receipt.body, HasSubstr("<th>Total paid</th><td class=\"amount\">$20.00</td>"));
  EXPECT_THAT(receipt.body, HasSubstr("<th>Tax</th><td class=\"amount\">$0.00</td>"));
  EXPECT_THAT(receipt.body, HasSubstr("Visa ending in 4242"));
  EXPECT_THAT(receipt.body, HasSubstr(attempt));
  EXPECT_THAT(receipt.body, HasSubstr(attempts[0]["statement_id"].get<std::string>()));
}

TEST_F(ReceiptsTest, ThePayersSessionReadsItsReceiptsAndAnotherPayersIsRefused) {
  ServeAs("Acme");
  const std::string payer = PayingPayer("user_1", "Ada Lovelace");
  const std::string other = PayingPayer("user_2", "Grace Hopper");
  const json attempt = Attempts(payer).at(0);
  const std::string receipt_path =
      "/v1/payment_attempts/" + attempt["id"].get<std::string>() + "/receipt";
  const std::string statement_path =
      "/v1/statements/" + attempt["statement_id"].get<std::string>() + "/receipt";

  const std::string own = NewSession(payer);
  const Page receipt = Fetch(receipt_path, own);
  EXPECT_EQ(receipt.status, 200) << receipt.body;
  EXPECT_THAT(receipt.body, HasSubstr("Ada Lovelace"));
  const Page statement = Fetch(statement_path, own);
  EXPECT_EQ(statement.status, 200) << statement.body;
  EXPECT_THAT(statement.body, HasSubstr("Ada Lovelace"));

  const std::string theirs = NewSession(other);
  const Page refused = Fetch(receipt_path, theirs);
  EXPECT_EQ(refused.status, 404);
  EXPECT_EQ(json::parse(refused.body)["error"]["code"], "attempt_not_found");
  EXPECT_EQ(json::parse(refused.body)["error"]["message"],
            "no payment attempt " + attempt["id"].get<std::string>())
      << "another payer's attempt answers as one that does not exist";
  EXPECT_THAT(refused.body, Not(HasSubstr("Ada")));
  const Page refused_statement = Fetch(statement_path, theirs);
  EXPECT_EQ(refused_statement.status, 404);
  EXPECT_EQ(json::parse(refused_statement.body)["error"]["code"], "statement_not_found");

  auto client = server_->Client();
  auto no_credential = client.Get(receipt_path);
  ASSERT_TRUE(no_credential);
  EXPECT_EQ(no_credential->status, 401);
}

TEST_F(ReceiptsTest, AnAttemptThatWasNotPaidHasNoReceiptButItsStatementListsIt) {
  ServeAs("Acme");
  const std::string payer = PayingPayer("user_1", "Ada Lovelace", "pm_card_chargeCustomerFail");
  const std::vector<json> attempts = Attempts(payer);
  ASSERT_THAT(attempts, SizeIs(1));
  ASSERT_EQ(attempts[0]["status"], "failed");
  const std::string attempt = attempts[0]["id"];

  const Page refused = Fetch("/v1/payment_attempts/" + attempt + "/receipt");
  EXPECT_EQ(refused.status, 422);
  const json error = json::parse(refused.body)["error"];
  EXPECT_EQ(error["code"], "attempt_not_paid");
  EXPECT_EQ(error["param"], "id");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("is failed"));

  const Page statement =
      Fetch("/v1/statements/" + attempts[0]["statement_id"].get<std::string>() + "/receipt");
  ASSERT_EQ(statement.status, 200) << statement.body;
  EXPECT_THAT(statement.body, HasSubstr(attempt));
  EXPECT_THAT(statement.body, HasSubstr("Failed, not charged"));
  EXPECT_THAT(statement.body, HasSubstr("<th>Total paid</th><td class=\"amount\">$0.00</td>"));

  const Page unknown = Fetch("/v1/payment_attempts/cpay_none/receipt");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["error"]["code"], "attempt_not_found");
}

TEST_F(ReceiptsTest, AStatementsPageListsADeclinedAndARecoveredAttemptWithWhatWasPaid) {
  ServeAs("Acme");
  const std::string clock = NewClock(1'735'689'600'000);  // 2025-01-01
  const std::string payer = NewPayer("user_1", "pm_card_chargeCustomerFail", "user", clock);
  json trial = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}}).body;
  const std::int64_t trial_end = trial["trial_end"];
  constexpr std::int64_t kDay = 86'400'000;
  ASSERT_EQ(Advance(clock, trial_end + kDay / 2).status, 200);  // the conversion is declined
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/payment_methods",
                 {{"token", "pm_card_mastercard"}, {"default", true}})
                .status,
            200);
  ASSERT_EQ(Advance(clock, trial_end + 2 * kDay).status, 200);  // the first retry pays
  const std::vector<json> attempts = Attempts(payer);           // newest first
  ASSERT_THAT(attempts, SizeIs(2));
  ASSERT_EQ(attempts[0]["statement_id"], attempts[1]["statement_id"]);

  const Page page =
      Fetch("/v1/statements/" + attempts[0]["statement_id"].get<std::string>() + "/receipt");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.policy, kReceiptContentSecurityPolicy);
  const auto declined = page.body.find(attempts[1]["id"].get<std::string>());
  const auto paid = page.body.find(attempts[0]["id"].get<std::string>());
  ASSERT_NE(declined, std::string::npos);
  ASSERT_NE(paid, std::string::npos);
  EXPECT_LT(declined, paid) << "in the order they were made";
  EXPECT_THAT(page.body, HasSubstr("Mastercard ending in 4444"));
  EXPECT_THAT(page.body, HasSubstr("Failed, not charged"));
  EXPECT_THAT(page.body, HasSubstr("<th>Total paid</th><td class=\"amount\">$20.00</td>"))
      << "the declined attempt adds nothing";
  EXPECT_THAT(page.body, HasSubstr("Open"));

  const Page receipt =
      Fetch("/v1/payment_attempts/" + attempts[0]["id"].get<std::string>() + "/receipt");
  ASSERT_EQ(receipt.status, 200) << receipt.body;
  EXPECT_THAT(receipt.body, HasSubstr("Mastercard ending in 4444"));
}

}  // namespace
}  // namespace recur::testing::receipts_test
