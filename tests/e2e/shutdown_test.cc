// Graceful shutdown of the real `recur serve`: on SIGTERM it stops taking connections, closes
// kept-alive ones between requests, lets the requests and webhook attempts in flight finish within
// --shutdown-timeout and exits 0. Started again on the same database, it serves every change it
// acknowledged, and no webhook attempt is in its log twice: one that finished is recorded once
// and not sent again; one still waiting for its answer at the timeout is cut, not recorded, and
// sent again (under the same webhook-id) after the restart.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>

#include "tests/e2e/webhook_fixture.h"
#include "tests/support/webhook_receiver.h"

namespace recur::testing::shutdown_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// How long a test waits for the stopped server to exit: far past the bound it must keep
// (--shutdown-timeout and a second's grace), and far short of the webhook client's 15 s read
// timeout that a server waiting out a hung receiver would take.
constexpr auto kExitPatience = 10s;

class ShutdownTest : public WebhookServeTest {
 protected:
  // Each (webhook-id, attempt number) of the endpoint's log once; returns the log.
  json ExpectNoAttemptTwice(const std::string& endpoint, std::size_t count) {
    const json attempts = SettledAttempts(endpoint, count);
    std::set<std::pair<std::string, int>> seen;
    for (const json& attempt : attempts) {
      EXPECT_TRUE(seen.emplace(attempt["webhook_id"], attempt["attempt"].get<int>()).second)
          << "recorded twice: " << attempt;
    }
    return attempts;
  }
};

TEST_F(ShutdownTest, KeepAliveClientsAndASlowWebhookFinishAndNothingAcknowledgedIsLost) {
  server_.reset();
  StartDelivering("0,0,0,0", {"--shutdown-timeout", "8s"});
  Receiver& receiver = NewReceiver();
  receiver.Delay(700ms);  // each attempt is in flight for a while
  const std::string endpoint = NewEndpoint(receiver.Url(), {"subscription.created"})["id"];

  // Clients holding kept-alive connections between requests.
  std::vector<std::unique_ptr<httplib::Client>> idle;
  for (int i = 0; i < 8; ++i) {
    idle.push_back(std::make_unique<httplib::Client>(server_->Client()));
    idle.back()->set_keep_alive(true);
    ASSERT_EQ(idle.back()->Get("/healthz")->status, 200);
  }
  // Clients making payers over kept-alive connections until the server goes away.
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::atomic<int> made = 0;
  std::atomic<bool> failed = false;  // a refusal: the test is over
  std::vector<std::thread> writers;
  // However the test ends, the writers end with it.
  struct Joined {
    std::vector<std::thread>& threads;
    std::atomic<bool>& failed;
    ~Joined() {
      failed = true;
      for (std::thread& thread : threads) {
        if (thread.joinable()) thread.join();
      }
    }
  } joined{writers, failed};
  for (int writer = 0; writer < 4; ++writer) {
    writers.emplace_back([&, writer, client = server_->Client()]() mutable {
      client.set_keep_alive(true);
      for (int i = 0; !failed; ++i) {
        const std::string external_id = "user_" + std::to_string(writer) + "_" + std::to_string(i);
        const json fields = {{"external_id", external_id},
                             {"type", "user"},
                             {"email", external_id + "@example.com"},
                             {"name", "Test Payer"}};
        httplib::Result result =
            client.Post("/v1/payers", Auth(), fields.dump(), "application/json");
        if (!result) return;  // the server has closed the connection, and takes no new one
        if (result->status != 200) {
          ADD_FAILURE() << result->status << " " << result->body;
          failed = true;
          return;
        }
        std::lock_guard lock(mutex);
        acknowledged.push_back(json::parse(result->body)["id"]);
        ++made;
      }
    });
  }
  // The stop comes while payers are being made and a delivery waits for its answer.
  ASSERT_TRUE(WaitUntil("20 payers made", [&] { return made >= 20; }));
  ASSERT_TRUE(receiver.WaitFor(2));
  server_->Signal(SIGTERM);
  const int exit_code = server_->WaitForExit(kExitPatience);
  for (std::thread& writer : writers) writer.join();
  ASSERT_FALSE(failed);
  ASSERT_EQ(exit_code, 0) << server_->Stderr();
  EXPECT_THAT(server_->Stderr(), ::testing::Not(::testing::HasSubstr("webhook_attempts_cut")));
  for (auto& client : idle) {
    EXPECT_FALSE(client->Get("/healthz")) << "a kept-alive connection outlived the server";
  }

  receiver.Delay(0ms);
  StartDelivering("0,0,0,0");
  for (const std::string& payer : acknowledged) {
    EXPECT_EQ(Call("GET", "/v1/payers/" + payer).status, 200) << payer << " was acknowledged";
  }
  // Every payer made has its one delivery; each attempt that came back before the stop is
  // recorded as the receiver answered it, once, and its delivery not sent again.
  const std::size_t payers = static_cast<std::size_t>(
      StoredNumber("SELECT COUNT(*) FROM payers WHERE external_id LIKE 'user_%'"));
  ASSERT_GE(payers, acknowledged.size());
  const json attempts = ExpectNoAttemptTwice(endpoint, payers);
  EXPECT_EQ(attempts.size(), payers);
  for (const json& attempt : attempts) EXPECT_EQ(attempt["http_status"], 200) << attempt;
  EXPECT_EQ(receiver.Count(), payers);
}

TEST_F(ShutdownTest, AnAttemptStillWaitingAtTheTimeoutIsCutAndSentAgainAfterARestart) {
  server_.reset();
  StartDelivering("0,0,0,0", {"--shutdown-timeout", "1s"});
  Receiver& receiver = NewReceiver();
  receiver.Hold();  // an endpoint that hangs
  const std::string endpoint = NewEndpoint(receiver.Url(), {"subscription.created"})["id"];
  NewPayer("user_1");
  ASSERT_TRUE(receiver.WaitFor(1));

  server_->Signal(SIGTERM);
  const int exit_code = server_->WaitForExit(kExitPatience);
  ASSERT_EQ(exit_code, 0) << server_->Stderr();
  EXPECT_THAT(server_->Stderr(), ::testing::HasSubstr("\"event\":\"webhook_attempts_cut\""));

  receiver.Release();
  StartDelivering("0,0,0,0");
  const json attempts = ExpectNoAttemptTwice(endpoint, 1);
  ASSERT_EQ(attempts.size(), 1u) << attempts;
  EXPECT_EQ(attempts[0]["attempt"], 1);
  EXPECT_EQ(attempts[0]["http_status"], 200);
  const auto received = receiver.Received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[1].get_header_value("webhook-id"), received[0].get_header_value("webhook-id"));
}

}  // namespace
}  // namespace recur::testing::shutdown_test
