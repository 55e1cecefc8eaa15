// `recur webhooks sign` and `recur webhooks listen` as a user runs them: the real binary, its
// stdin, stdout, stderr and exit status, and deliveries posted over HTTP.
#include <signal.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "domain/webhooks/signing.h"
#include "tests/e2e/recur_process.h"
#include "tests/support/wait.h"

namespace recur::testing::webhooks_cli_test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// The Standard Webhooks reference vector: secret, message id, timestamp, body, signature.
constexpr const char* kVectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kVectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr const char* kVectorTimestamp = "1614265330";
constexpr const char* kVectorBody = R"({"test": 2432232314})";
constexpr const char* kVectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

// `recur webhooks listen --port 0 ...` in the background; `port` is 0 if it logs none in time.
struct Listener {
  explicit Listener(const std::vector<std::string>& flags)
      : process(
            [&] {
              std::vector<std::string> argv = {RecurBinary(), "webhooks", "listen", "--port", "0"};
              argv.insert(argv.end(), flags.begin(), flags.end());
              return argv;
            }(),
            ".", {}) {
    static const std::regex kListening(R"(listening on 127\.0\.0\.1:(\d+))");
    PollUntil([&] {
      std::smatch match;
      const std::string err = process.Stderr();
      if (std::regex_search(err, match, kListening)) port = std::stoi(match[1]);
      return port != 0 || process.Ended();
    });
  }

  BackgroundProcess process;
  int port = 0;
};

httplib::Result Deliver(int port, const std::string& path, const std::string& id,
                        std::int64_t timestamp, const std::string& signature,
                        const std::string& body) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5s);
  client.set_read_timeout(10s);
  const httplib::Headers headers = {{"webhook-id", id},
                                    {"webhook-timestamp", std::to_string(timestamp)},
                                    {"webhook-signature", signature}};
  return client.Post(path.c_str(), headers, body, "application/json");
}

std::int64_t WallClockSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(WebhooksCli, SignReproducesTheReferenceVectorFromStdin) {
  TempDir dir;
  WriteFile(dir / "body.json", kVectorBody);  // exactly the payload, no trailing newline
  CommandResult result = RunRecur({"webhooks", "sign", "--secret", kVectorSecret, "--id", kVectorId,
                                   "--timestamp", kVectorTimestamp},
                                  ".", {}, dir / "body.json");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, std::string(kVectorSignature) + "\n");
  EXPECT_EQ(result.err, "");
}

TEST(WebhooksCli, SignReadsBinaryBodiesExactly) {
  TempDir dir;
  const std::string body("{\"a\":\0\"\xff\"}\r\n\n", 13);
  WriteFile(dir / "body.bin", body);
  CommandResult result = RunRecur({"webhooks", "sign", "--secret=" + std::string(kVectorSecret),
                                   "--id=msg_1", "--timestamp=1700000000"},
                                  ".", {}, dir / "body.bin");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto secret = DecodeWebhookSecret(kVectorSecret);
  ASSERT_TRUE(secret);
  EXPECT_EQ(result.out, SignWebhook(*secret, "msg_1", 1700000000, body) + "\n");
}

TEST(WebhooksCli, SignRejectsBadUsageWithStatus2) {
  TempDir dir;
  WriteFile(dir / "body.json", kVectorBody);
  const std::vector<std::vector<std::string>> cases = {
      {"webhooks", "sign", "--secret", "whsec_not base64!", "--id", kVectorId, "--timestamp",
       kVectorTimestamp},
      {"webhooks", "sign", "--secret", "whsec_", "--id", kVectorId, "--timestamp",
       kVectorTimestamp},
      {"webhooks", "sign", "--secret", kVectorSecret, "--timestamp", kVectorTimestamp},
      {"webhooks", "sign", "--secret", kVectorSecret, "--id", kVectorId, "--timestamp", "soon"},
  };
  for (const auto& args : cases) {
    CommandResult result = RunRecur(args, ".", {}, dir / "body.json");
    EXPECT_EQ(result.exit_code, 2) << args[3];
    EXPECT_EQ(result.out, "");
    EXPECT_THAT(result.err, HasSubstr("recur webhooks sign: "));
  }
  CommandResult bad_secret = RunRecur(cases[0], ".", {}, dir / "body.json");
  EXPECT_THAT(bad_secret.err, HasSubstr("not base64"));
}

TEST(WebhooksCli, ListenVerifiesDeliveriesAndStopsOnSigterm) {
  const std::string secret_text = NewWebhookSecretText();
  auto secret = DecodeWebhookSecret(secret_text);
  ASSERT_TRUE(secret);
  Listener listener({"--secret", secret_text});
  const int port = listener.port;
  ASSERT_GT(port, 0) << listener.process.Stderr();

  const std::string body = R"({"type":"subscription.created","data":{"id":"csub_1"}})";
  const std::int64_t now = WallClockSeconds();
  auto accepted = Deliver(port, "/webhooks/recur", "msg_good", now,
                          SignWebhook(*secret, "msg_good", now, body), body);
  ASSERT_TRUE(accepted) << httplib::to_string(accepted.error());
  EXPECT_EQ(accepted->status, 204) << accepted->body;
  EXPECT_TRUE(listener.process.WaitForStdout(" msg_good subscription.created verified\n", 10s))
      << listener.process.Stdout();

  // The signature of the original body over a changed body.
  const std::string tampered = R"({"type":"subscription.created","data":{"id":"csub_2"}})";
  auto rejected =
      Deliver(port, "/", "msg_bad", now, SignWebhook(*secret, "msg_bad", now, body), tampered);
  ASSERT_TRUE(rejected) << httplib::to_string(rejected.error());
  EXPECT_EQ(rejected->status, 401);
  const nlohmann::json error = nlohmann::json::parse(rejected->body, nullptr, false);
  EXPECT_EQ(error["error"]["code"], "invalid_signature") << rejected->body;
  EXPECT_TRUE(listener.process.WaitForStdout(" msg_bad subscription.created REJECTED: ", 10s))
      << listener.process.Stdout();

  // A correct signature from a stale clock.
  auto stale = Deliver(port, "/", "msg_old", now - 600,
                       SignWebhook(*secret, "msg_old", now - 600, body), body);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 401);
  EXPECT_TRUE(listener.process.WaitForStdout(" msg_old subscription.created REJECTED: ", 10s))
      << listener.process.Stdout();

  listener.process.Signal(SIGTERM);
  EXPECT_EQ(listener.process.WaitForExit(10s), 0) << listener.process.Stderr();
}

}  // namespace
}  // namespace recur::testing::webhooks_cli_test
