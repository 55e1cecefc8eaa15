// Idempotency-Key through the real `recur serve`: the key's rules at the edge (an empty key, the
// query string in the fingerprint), and keys that hold across crashes. The server is killed
// with SIGKILL between a change's commit and its answer (a fault point for tests,
// RECUR_TEST_KILL_BEFORE_IDEMPOTENT_ANSWER) and at random points of a stream of keyed requests,
// started again on the same database, and every key is retried: each key made exactly one
// change, counted in the database's rows, and a key answered before the kill answers the same.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::idempotency_crash_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kKillPrefix = "die-";

// One kind of keyed request and how to count the changes its key made.
enum class Kind { kPayer, kSubscribe, kTestClock, kWebhookEndpoint };

struct KeyedRequest {
  Kind kind;
  std::string key;
  std::string path;
  std::string body;
  std::string payer;  // kSubscribe: the payer subscribed
};

struct Seen {
  int status = 0;
  std::string body;
};

class IdempotencyCrashTest : public ServeTest {
 protected:
  RecurServer::Options CrashOptions() const {
    RecurServer::Options options = Options();
    options.env["RECUR_TEST_KILL_BEFORE_IDEMPOTENT_ANSWER"] = kKillPrefix;
    // Endpoints on loopback, where nothing listens: deliveries fail and are retried later.
    options.args = {"--webhook-allow-cidr", "127.0.0.0/8"};
    return options;
  }

  // Kills the server (if the fault point has not already) and starts it again on its database.
  void Restart() {
    server_->Signal(SIGKILL);
    ASSERT_EQ(server_->WaitForExit(30s), 128 + SIGKILL);
    server_ = RecurServer::Start(CrashOptions());
    ASSERT_NE(server_, nullptr) << "recur serve did not start again on the same database";
  }

  httplib::Result Post(const std::string& path, const std::string& key, const std::string& body) {
    httplib::Headers headers = Auth();
    headers.emplace("Idempotency-Key", key);
    auto client = server_->Client();
    return client.Post(path, headers, body, "application/json");
  }

  KeyedRequest Request(Kind kind, const std::string& key) {
    switch (kind) {
      case Kind::kPayer:
        return {kind, key, "/v1/payers",
                json{{"external_id", key}, {"type", "user"}, {"email", "p@example.com"}}.dump()};
      case Kind::kSubscribe: {
        const std::string payer = NewPayer("for-" + key, "pm_card_visa");
        // Without a trial: a checkout charge, committed pending before the gateway is asked
        // and settled after, so a kill may come between the two.
        return {kind, key, "/v1/payers/" + payer + "/subscription_items",
                json{{"plan", "pro"}, {"free_trial", false}}.dump(), payer};
      }
      case Kind::kTestClock:
        return {kind, key, "/v1/test_clocks",
                json{{"frozen_time", 1'700'000'000'000}, {"name", key}}.dump()};
      case Kind::kWebhookEndpoint:
        return {kind, key, "/v1/webhook_endpoints",
                json{{"url", "http://127.0.0.1:9/hook"}, {"description", key}}.dump()};
    }
    return {};
  }

  // How many changes the request's key made, read from the database beside the server.
  int Changes(const KeyedRequest& request) {
    std::string sql;
    switch (request.kind) {
      case Kind::kPayer:
        sql = "SELECT COUNT(*) FROM payers WHERE external_id = " + Quoted(request.key);
        break;
      case Kind::kSubscribe:
        sql = "SELECT COUNT(*) FROM subscription_items WHERE plan_slug = 'pro' AND payer_id = " +
              Quoted(request.payer);
        break;
      case Kind::kTestClock:
        sql = "SELECT COUNT(*) FROM test_clocks WHERE name = " + Quoted(request.key);
        break;
      case Kind::kWebhookEndpoint:
        sql = "SELECT COUNT(*) FROM webhook_endpoints WHERE description = " + Quoted(request.key);
        break;
    }
    return static_cast<int>(StoredNumber(sql));
  }

  // Retries the request until it is answered other than "in progress"; the answer.
  Seen Retry(const KeyedRequest& request) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto answer = Post(request.path, request.key, request.body);
      if (answer && answer->status != 409) return {answer->status, answer->body};
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "no answer to the retry of " << request.key;
    return {};
  }

  // The object a request's answer is about: its id, and what names it.
  static std::string Summary(const KeyedRequest& request, const json& answer) {
    switch (request.kind) {
      case Kind::kPayer:
        return answer["object"].get<std::string>() + " " + answer["external_id"].get<std::string>();
      case Kind::kSubscribe:
        return answer["object"].get<std::string>() + " " +
               answer["plan"]["slug"].get<std::string>();
      case Kind::kTestClock:
        return answer["object"].get<std::string>() + " " + answer["name"].get<std::string>();
      case Kind::kWebhookEndpoint:
        return answer["object"].get<std::string>() + " " +
               answer["description"].get<std::string>() + " secret " +
               std::string(answer.contains("secret") ? "shown" : "missing");
    }
    return "";
  }
};

// A raw request, so that the header goes out exactly as written; the status of its answer.
int RawStatus(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  ::send(fd, request.data(), request.size(), 0);
  char buffer[64] = {};
  const ssize_t got = ::recv(fd, buffer, sizeof buffer - 1, 0);
  ::close(fd);
  if (got < 12) return -1;
  return std::atoi(buffer + 9);  // "HTTP/1.1 NNN"
}

TEST_F(IdempotencyCrashTest, AnEmptyIdempotencyKeyIsRefusedAndChangesNothing) {
  Serve();
  const std::string body = R"({"external_id":"empty_key","type":"user","email":"e@example.com"})";
  const std::string request =
      "POST /v1/payers HTTP/1.1\r\nHost: localhost\r\n"
      "Authorization: Bearer " +
      std::string(kTestSecretKey) +
      "\r\nIdempotency-Key:\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  EXPECT_EQ(RawStatus(server_->port(), request), 400);
  EXPECT_EQ(Call("GET", "/v1/events").body["data"], json::array());
}

TEST_F(IdempotencyCrashTest, TheSameKeyWithAnotherQueryStringIsAnotherRequest) {
  Serve();
  const std::string body = R"({"external_id":"query_key","type":"user","email":"q@example.com"})";
  auto first = Post("/v1/payers", "query-1", body);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  auto other = Post("/v1/payers?note=again", "query-1", body);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 422);
  EXPECT_EQ(json::parse(other->body)["error"]["code"], "idempotency_key_reused");
  auto same = Post("/v1/payers", "query-1", body);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->get_header_value("Idempotent-Replayed"), "true");
  EXPECT_EQ(same->body, first->body);
}

TEST_F(IdempotencyCrashTest, AKeyWhoseServerDiedBetweenChangeAndAnswerAnswersWithoutRepeating) {
  server_ = RecurServer::Start(CrashOptions());
  ASSERT_NE(server_, nullptr);
  for (Kind kind : {Kind::kPayer, Kind::kSubscribe, Kind::kTestClock, Kind::kWebhookEndpoint}) {
    const KeyedRequest request =
        Request(kind, kKillPrefix + std::to_string(static_cast<int>(kind)));
    SCOPED_TRACE(request.path);
    EXPECT_FALSE(Post(request.path, request.key, request.body)) << "the server answered";
    ASSERT_EQ(server_->WaitForExit(30s), 128 + SIGKILL);
    server_ = RecurServer::Start(CrashOptions());
    ASSERT_NE(server_, nullptr);
    EXPECT_EQ(Changes(request), 1);

    auto retried = Post(request.path, request.key, request.body);
    ASSERT_TRUE(retried);
    EXPECT_EQ(retried->status, 200) << retried->body;
    EXPECT_EQ(retried->get_header_value("Idempotent-Replayed"), "true");
    const json answer = json::parse(retried->body);
    const std::string name =
        kind == Kind::kSubscribe ? "pro" : request.key;  // what the answer is about
    EXPECT_THAT(Summary(request, answer), ::testing::HasSubstr(name));
    if (kind == Kind::kWebhookEndpoint) {
      EXPECT_THAT(Summary(request, answer), ::testing::EndsWith("shown"));
    }
    // Once answered, the answer is kept: a further retry replays it byte for byte.
    auto again = Post(request.path, request.key, request.body);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->body, retried->body);
    EXPECT_EQ(Changes(request), 1);
  }
}

// The answers rendered after such a kill are the ones the first requests would have given: a
// declined checkout's 402, and a trial extended to its new end.
TEST_F(IdempotencyCrashTest, ADeclinedCheckoutAndATrialExtensionAnswerAsTheyWouldHave) {
  server_ = RecurServer::Start(CrashOptions());
  ASSERT_NE(server_, nullptr);
  const std::string declining = NewPayer("declining", "pm_card_chargeCustomerFail");
  const std::string trying = NewPayer("trying", "pm_card_visa");
  Answer trial = Call("POST", "/v1/payers/" + trying + "/subscription_items",
                      {{"plan", "pro"}, {"free_trial", true}});
  ASSERT_EQ(trial.status, 200) << trial.body.dump();
  const std::string item = trial.body["id"];
  const std::int64_t extend_to = trial.body["trial_end"].get<std::int64_t>() + 86'400'000;

  const std::string checkout = "/v1/payers/" + declining + "/subscription_items";
  const std::string checkout_body = json{{"plan", "pro"}, {"free_trial", false}}.dump();
  EXPECT_FALSE(Post(checkout, "die-checkout", checkout_body));
  Restart();
  auto declined = Post(checkout, "die-checkout", checkout_body);
  ASSERT_TRUE(declined);
  EXPECT_EQ(declined->status, 402) << declined->body;
  EXPECT_EQ(json::parse(declined->body)["error"]["code"], "payment_declined");
  EXPECT_EQ(declined->get_header_value("Idempotent-Replayed"), "true");

  const std::string extend = "/v1/subscription_items/" + item + "/extend_free_trial";
  const std::string extend_body = json{{"extend_to", extend_to}}.dump();
  EXPECT_FALSE(Post(extend, "die-extend", extend_body));
  Restart();
  auto extended = Post(extend, "die-extend", extend_body);
  ASSERT_TRUE(extended);
  EXPECT_EQ(extended->status, 200) << extended->body;  // run again, it would be refused
  EXPECT_EQ(json::parse(extended->body)["id"], item);
  EXPECT_EQ(json::parse(extended->body)["trial_end"], extend_to);
}

TEST_F(IdempotencyCrashTest, EveryKeyMakesExactlyOneChangeWhenTheServerIsKilledAtRandom) {
  server_ = RecurServer::Start(CrashOptions());
  ASSERT_NE(server_, nullptr);
  std::mt19937 random(17);
  constexpr int kRounds = 4;
  constexpr int kSenders = 4;
  constexpr int kPerSender = 12;
  const Kind kinds[] = {Kind::kPayer, Kind::kSubscribe, Kind::kTestClock, Kind::kWebhookEndpoint};
  std::vector<KeyedRequest> all;
  std::map<std::string, Seen> answered_before_kill;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::vector<KeyedRequest>> batches(kSenders);
    for (int sender = 0; sender < kSenders; ++sender) {
      for (int i = 0; i < kPerSender; ++i) {
        const Kind kind = kinds[random() % 4];
        batches[sender].push_back(Request(
            kind,
            "r" + std::to_string(round) + "-s" + std::to_string(sender) + "-" + std::to_string(i)));
      }
    }
    // The kill comes once a random number of requests of the round were answered, while the
    // rest are on their way or still to be sent.
    const std::size_t kill_after = 1 + random() % (kSenders * kPerSender / 2);
    std::mutex mutex;
    std::condition_variable answered;
    std::size_t answers = 0;
    std::vector<std::thread> senders;
    for (const auto& batch : batches) {
      senders.emplace_back([&, batch] {
        for (const KeyedRequest& request : batch) {
          auto answer = Post(request.path, request.key, request.body);
          if (!answer) continue;  // cut off by the kill
          std::lock_guard lock(mutex);
          answered_before_kill[request.key] = {answer->status, answer->body};
          ++answers;
          answered.notify_all();
        }
      });
    }
    {
      std::unique_lock lock(mutex);
      answered.wait(lock, [&] { return answers >= kill_after; });
    }
    Restart();
    for (std::thread& sender : senders) sender.join();
    for (const auto& batch : batches) all.insert(all.end(), batch.begin(), batch.end());
  }

  int cut_off = 0;
  for (const KeyedRequest& request : all) {
    SCOPED_TRACE(request.key);
    const Seen retried = Retry(request);
    // A checkout cut off before the gateway answered is settled at the next start by a look-up,
    // and a charge the gateway never saw is a declined one (402).
    if (request.kind == Kind::kSubscribe && retried.status == 402) {
      EXPECT_EQ(json::parse(retried.body)["error"]["code"], "payment_declined");
    } else {
      EXPECT_EQ(retried.status, 200) << retried.body;
    }
    auto before = answered_before_kill.find(request.key);
    if (before == answered_before_kill.end()) {
      ++cut_off;
    } else {
      EXPECT_EQ(retried.status, before->second.status);
      EXPECT_EQ(retried.body, before->second.body);
    }
    EXPECT_EQ(Changes(request), 1);
  }
  // Each kill left requests of its round unanswered, so some keys were first seen by a retry.
  EXPECT_GT(cut_off, 0);
  std::size_t recovered = 0;
  for (std::size_t at = 0;
       (at = server_->Stderr().find("idempotency_key_recovered", at)) != std::string::npos; ++at) {
    ++recovered;
  }
  RecordProperty("keys", static_cast<int>(all.size()));
  RecordProperty("cut_off_by_a_kill", cut_off);
  RecordProperty("answered_from_what_they_made", static_cast<int>(recovered));
}

}  // namespace
}  // namespace recur::testing::idempotency_crash_test
