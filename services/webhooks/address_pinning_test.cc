// A delivery connects only to an address that was checked against the SSRF policy: the endpoint's
// host name is resolved through a scripted resolver that answers as a rebinding DNS server
// would (one address at check time, another a moment later), and loopback receivers show where
// the requests went. Every address that is not a receiver's is refused before any connection.
#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "services/webhooks/dispatcher.h"
#include "services/webhooks/endpoints.h"
#include "services/webhooks/host_resolver.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/temporary_database.h"
#include "tests/support/test_certificate.h"
#include "tests/support/webhook_receiver.h"

namespace recur {
namespace {

using ::testing::HasSubstr;
using testing::Receiver;

// 2026-01-01T00:00:00Z.
const Instant kStart = FromUnixMillis(1'767'225'600'000);

// The name the endpoints use; the system resolver knows nothing of it, so a request that reaches
// a receiver was sent to an address the scripted resolver answered.
constexpr std::string_view kHost = "hooks.test";

// Answers each question with the next of its scripted answers, the last one again once they run
// out; counts the questions.
class ScriptedResolver final : public HostResolver {
 public:
  void Answer(std::deque<std::vector<std::string>> answers) {
    std::lock_guard lock(mutex_);
    answers_ = std::move(answers);
  }

  Result<std::vector<IpAddress>> Resolve(const std::string& host) const override {
    std::lock_guard lock(mutex_);
    ++questions_;
    if (host != kHost || answers_.empty()) return UnresolvableHost(host, "not scripted");
    std::vector<IpAddress> addresses;
    for (const std::string& text : answers_.front()) addresses.push_back(*ParseIpAddress(text));
    if (answers_.size() > 1) answers_.pop_front();
    return addresses;
  }

  int Questions() const {
    std::lock_guard lock(mutex_);
    return questions_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::deque<std::vector<std::string>> answers_;
  mutable int questions_ = 0;
};

// A folder of its own under the temporary folder, removed with what it holds.
struct ScratchDirectory {
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "recur-pin-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~ScratchDirectory() { std::filesystem::remove_all(path); }
  std::string path;
};

class AddressPinningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(database_.path(), ids_, clock_.Now());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }

  // Endpoints and dispatcher allow `allow` (127.0.0.1 alone by default) and ask `resolver_`.
  void Allow(std::vector<std::string> cidrs) {
    allow_.clear();
    for (const std::string& cidr : cidrs) allow_.push_back(*ParseCidr(cidr));
  }

  Result<WebhookEndpoint> NewEndpoint(const std::string& url) {
    WebhookEndpoints endpoints(*store_, ids_, clock_,
                               WebhookEndpointOptions{.allow = allow_, .resolver = resolver_});
    return endpoints.Create(url, {}, "");
  }

  Dispatcher& Dispatch(ConnectionPoolOptions connections = {}) {
    DispatcherOptions options;
    options.retry_schedule = {std::chrono::seconds(0), std::chrono::seconds(0),
                              std::chrono::seconds(0)};
    options.jitter = 0;
    options.allow = allow_;
    options.resolver = resolver_;
    options.connections = std::move(connections);
    dispatcher_ = std::make_unique<Dispatcher>(*store_, *store_, clock_, std::move(options));
    return *dispatcher_;
  }

  // One event, stored as the billing service stores it: a delivery for every endpoint.
  void Publish() {
    const int n = ++payers_;
    Account account;
    account.payer.id = "cpayer_" + std::to_string(n);
    account.payer.external_id = "user_" + std::to_string(n);
    account.payer.email = account.payer.external_id + "@example.com";
    account.payer.subscription_id = "csub_" + std::to_string(n);
    account.payer.created_at = clock_.Now();
    const StoredEvent event{"evt_" + std::to_string(n), "subscription.created", account.payer.id,
                            clock_.Now(), R"({"object":"event","type":"subscription.created"})"};
    ASSERT_TRUE(store_->SaveTransition(nullptr, account, {event}, {}, {}));
  }

  // The endpoint's attempts, newest first.
  std::vector<DeliveryAttempt> Attempts(const std::string& endpoint_id) {
    return store_->ListDeliveryAttempts(endpoint_id, 100).value();
  }

  // On `address` and `port` (0: a free one), over HTTPS with `tls`'s certificate when given.
  Receiver& NewReceiver(const testing::TestCertificate* tls = nullptr,
                        std::string address = "127.0.0.1", int port = 0) {
    return *receivers_.emplace_back(std::make_unique<Receiver>(tls, std::move(address), port));
  }

  static std::string Url(const Receiver& receiver, std::string_view scheme = "http") {
    return std::string(scheme) + "://" + std::string(kHost) + ":" +
           std::to_string(receiver.Port()) + "/hooks";
  }

  ScratchDirectory scratch_;
  TemporaryDatabase database_;
  SeededIdGenerator ids_{1};
  ManualClock clock_{kStart};
  std::unique_ptr<SqliteStore> store_;
  std::shared_ptr<ScriptedResolver> resolver_ = std::make_shared<ScriptedResolver>();
  std::vector<Cidr> allow_{*ParseCidr("127.0.0.1/32")};
  // Destroyed after the dispatcher, which closes the connections it kept open to them, so that
  // they stop at once.
  std::vector<std::unique_ptr<Receiver>> receivers_;
  std::unique_ptr<Dispatcher> dispatcher_;
  int payers_ = 0;
};

TEST_F(AddressPinningTest, ADeliveryGoesToTheAddressCheckedAndNeverToTheNextAnswer) {
  Receiver& checked = NewReceiver();
  // The same port on another loopback address: where a second resolution would lead.
  Receiver& rebound = NewReceiver(nullptr, "127.0.0.2", checked.Port());
  resolver_->Answer({{"127.0.0.1"}});
  auto endpoint = NewEndpoint(Url(checked));
  ASSERT_TRUE(endpoint) << endpoint.error().message;

  // The attempt checks 127.0.0.1; any later question would be answered 127.0.0.2.
  resolver_->Answer({{"127.0.0.1"}, {"127.0.0.2"}});
  Dispatch();
  Publish();
  const int questions_before = resolver_->Questions();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);

  EXPECT_EQ(resolver_->Questions(), questions_before + 1) << "one question per attempt";
  ASSERT_EQ(checked.Count(), 1u);
  EXPECT_EQ(rebound.Count(), 0u);
  EXPECT_EQ(Attempts(endpoint->id).front().http_status, 200);
}

TEST_F(AddressPinningTest, AnAttemptWhoseNameNowAnswersARefusedAddressIsNotSent) {
  Receiver& checked = NewReceiver();
  Receiver& rebound = NewReceiver(nullptr, "127.0.0.2", checked.Port());
  resolver_->Answer({{"127.0.0.1"}});
  auto endpoint = NewEndpoint(Url(checked));
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  Dispatch();
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  ASSERT_EQ(checked.Count(), 1u);

  // The name is rebound between attempts; the kept-open connection to 127.0.0.1 is not used.
  resolver_->Answer({{"127.0.0.2"}});
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);

  const DeliveryAttempt refused = Attempts(endpoint->id).front();
  EXPECT_FALSE(refused.http_status.has_value());
  EXPECT_THAT(refused.error, HasSubstr("127.0.0.2 is a loopback address"));
  EXPECT_EQ(checked.Count(), 1u);
  EXPECT_EQ(rebound.Count(), 0u);
}

TEST_F(AddressPinningTest, ANameWithOneRefusedAddressAmongItsAnswersIsNotSentTo) {
  Receiver& receiver = NewReceiver();
  resolver_->Answer({{"127.0.0.1", "10.0.0.1"}});
  auto refused = NewEndpoint(Url(receiver));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "address_not_allowed");
  EXPECT_EQ(refused.error().param, "url");
  EXPECT_THAT(refused.error().message, HasSubstr("10.0.0.1 is a private address"));

  resolver_->Answer({{"127.0.0.1"}});
  auto endpoint = NewEndpoint(Url(receiver));
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  resolver_->Answer({{"127.0.0.1", "10.0.0.1"}});
  Dispatch();
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  EXPECT_THAT(Attempts(endpoint->id).front().error, HasSubstr("10.0.0.1 is a private address"));
  EXPECT_EQ(receiver.Count(), 0u);
}

TEST_F(AddressPinningTest, TheHostHeaderIsTheUrlsHostWhicheverAddressIsConnectedTo) {
  Receiver& receiver = NewReceiver();
  resolver_->Answer({{"127.0.0.1"}});
  auto endpoint = NewEndpoint(Url(receiver));
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  Dispatch();
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  ASSERT_EQ(receiver.Count(), 1u);
  EXPECT_EQ(receiver.Received()[0].get_header_value("Host"),
            std::string(kHost) + ":" + std::to_string(receiver.Port()));
  EXPECT_EQ(receiver.Received()[0].get_header_value_count("Host"), 1u);
}

TEST_F(AddressPinningTest, ACheckedAddressThatRefusesTheConnectionGivesWayToTheNextOne) {
  Allow({"127.0.0.0/8"});
  Receiver& receiver = NewReceiver();  // on 127.0.0.1; nothing listens on 127.0.0.3
  resolver_->Answer({{"127.0.0.3", "127.0.0.1"}});
  auto endpoint = NewEndpoint(Url(receiver));
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  Dispatch();
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  EXPECT_EQ(receiver.Count(), 1u);
  EXPECT_EQ(Attempts(endpoint->id).front().http_status, 200);
}

TEST_F(AddressPinningTest, OverHttpsTheCertificateMustNameTheUrlsHost) {
  const testing::TestCertificate named =
      testing::MakeTestCertificate(scratch_.path, "DNS:" + std::string(kHost));
  Receiver& receiver = NewReceiver(&named);
  resolver_->Answer({{"127.0.0.1"}});
  auto endpoint = NewEndpoint(Url(receiver, "https"));
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  Dispatch({.extra_ca_file = named.certificate_path});
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  EXPECT_EQ(receiver.Count(), 1u);
  EXPECT_EQ(Attempts(endpoint->id).front().http_status, 200);
}

TEST_F(AddressPinningTest, OverHttpsACertificateForTheAddressAloneDoesNotStandForTheName) {
  const testing::TestCertificate for_address =
      testing::MakeTestCertificate(scratch_.path, "IP:127.0.0.1");
  Receiver& receiver = NewReceiver(&for_address);
  resolver_->Answer({{"127.0.0.1"}});
  auto endpoint = NewEndpoint(Url(receiver, "https"));
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  Dispatch({.extra_ca_file = for_address.certificate_path});
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  const DeliveryAttempt attempt = Attempts(endpoint->id).front();
  EXPECT_FALSE(attempt.http_status.has_value());
  EXPECT_THAT(attempt.error, HasSubstr("SSL"));
  EXPECT_EQ(receiver.Count(), 0u);
}

}  // namespace
}  // namespace recur
