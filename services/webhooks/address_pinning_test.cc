// A delivery connects only to an address that was checked against the SSRF policy: the endpoint's
// host name is resolved through a scripted resolver that answers as a rebinding DNS server
// would (one address at check time, another a moment later), and loopback receivers show where
// the requests went. Every address is a loopback one; 127.0.0.2 is refused by the policy before
// any connection, and nothing listens on 127.0.0.3.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/webhooks/host_resolver.h"
#include "tests/support/dispatcher_fixture.h"
#include "tests/support/test_certificate.h"
#include "tests/support/webhook_receiver.h"

namespace recur::address_pinning_test {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Receiver;

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

// A socket bound to `address` and `port` (0: any free one), closed when it goes.
class BoundSocket {
 public:
  BoundSocket(const char* address, int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, address, &at.sin_addr);
    socklen_t length = sizeof at;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&at), length) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&at), &length) != 0) {
      return;
    }
    port_ = ntohs(at.sin_port);
  }
  ~BoundSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  BoundSocket(const BoundSocket&) = delete;
  BoundSocket& operator=(const BoundSocket&) = delete;

  int port() const { return port_; }  // 0 when the bind failed

 private:
  int fd_;
  int port_ = 0;
};

// A port free on both 127.0.0.1 and 127.0.0.2 (a port free on one may be taken on the other):
// two receivers there stand for the first and the second answer for one URL.
int PortFreeOnBothLoopbacks() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const BoundSocket first("127.0.0.2", 0);
    if (first.port() == 0) continue;
    const BoundSocket second("127.0.0.1", first.port());
    if (second.port() != 0) return first.port();
  }
  throw std::runtime_error("no port is free on both 127.0.0.1 and 127.0.0.2");
}

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

// Endpoints and dispatcher ask the scripted resolver and allow 127.0.0.1 and 127.0.0.3 alone:
// 127.0.0.2 stands for an address the policy refuses.
class AddressPinningTest : public testing::DispatcherFixture {
 protected:
  AddressPinningTest() {
    allow_ = {*ParseCidr("127.0.0.1/32"), *ParseCidr("127.0.0.3/32")};
    resolver_ = scripted_;
  }

  Result<WebhookEndpoint> TryNewEndpoint(const std::string& url) {
    return endpoints_->Create(url, {}, "");
  }

  // The newest attempt at the endpoint.
  DeliveryAttempt LastAttempt(const std::string& endpoint_id) {
    return Attempts(endpoint_id).back();
  }

  // One event sent to a new endpoint of `receiver` by its host name over HTTPS, trusting `tls`'s
  // certificate; the attempt made.
  DeliveryAttempt DeliverOverHttps(const testing::TestCertificate& tls, Receiver& receiver) {
    scripted_->Answer({{"127.0.0.1"}});
    const std::string endpoint = NewEndpoint(Url(receiver, "https"));
    DispatcherOptions options = Options({0s});
    options.connections.extra_ca_file = tls.certificate_path;
    Dispatch(std::move(options));
    Publish();
    EXPECT_EQ(dispatcher_->RunOnce(), 1u);
    return LastAttempt(endpoint);
  }

  static std::string Url(const Receiver& receiver, std::string_view scheme = "http") {
    return std::string(scheme) + "://" + std::string(kHost) + ":" +
           std::to_string(receiver.Port()) + "/hooks";
  }

  // Receivers on one port of 127.0.0.1 (the address checked) and of 127.0.0.2 (where a second
  // resolution would lead), and an endpoint of that port made while the name answers 127.0.0.1.
  struct Rebinding {
    Receiver& checked;
    Receiver& rebound;
    std::string endpoint;
  };
  Rebinding NewRebinding() {
    const int port = PortFreeOnBothLoopbacks();
    Receiver& checked = NewReceiver(nullptr, "127.0.0.1", port);
    Receiver& rebound = NewReceiver(nullptr, "127.0.0.2", port);
    scripted_->Answer({{"127.0.0.1"}});
    return {checked, rebound, NewEndpoint(Url(checked))};
  }

  std::shared_ptr<ScriptedResolver> scripted_ = std::make_shared<ScriptedResolver>();
  ScratchDirectory scratch_;
};

TEST_F(AddressPinningTest, ADeliveryGoesToTheAddressCheckedAndNeverToTheNextAnswer) {
  const auto [checked, rebound, endpoint] = NewRebinding();

  // The attempt checks 127.0.0.1; any later question would be answered 127.0.0.2.
  scripted_->Answer({{"127.0.0.1"}, {"127.0.0.2"}});
  Dispatch(Options({0s, 0s}));
  Publish();
  const int questions_before = scripted_->Questions();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);

  EXPECT_EQ(scripted_->Questions(), questions_before + 1) << "one question per attempt";
  ASSERT_EQ(checked.Count(), 1u);
  EXPECT_EQ(rebound.Count(), 0u);
  EXPECT_EQ(LastAttempt(endpoint).http_status, 200);
}

TEST_F(AddressPinningTest, AnAttemptWhoseNameNowAnswersARefusedAddressIsNotSent) {
  const auto [checked, rebound, endpoint] = NewRebinding();
  Dispatch(Options({0s, 0s}));
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  ASSERT_EQ(checked.Count(), 1u);

  // The name is rebound between attempts; the kept-open connection to 127.0.0.1 is not used.
  scripted_->Answer({{"127.0.0.2"}});
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);

  const DeliveryAttempt refused = LastAttempt(endpoint);
  EXPECT_FALSE(refused.http_status.has_value());
  EXPECT_THAT(refused.error, HasSubstr("127.0.0.2 is a loopback address"));
  EXPECT_EQ(checked.Count(), 1u);
  EXPECT_EQ(rebound.Count(), 0u);
}

TEST_F(AddressPinningTest, ANameWithOneRefusedAddressAmongItsAnswersIsNotSentTo) {
  Receiver& receiver = NewReceiver();
  scripted_->Answer({{"127.0.0.1", "10.0.0.1"}});
  auto refused = TryNewEndpoint(Url(receiver));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "address_not_allowed");
  EXPECT_EQ(refused.error().param, "url");
  EXPECT_THAT(refused.error().message, HasSubstr("10.0.0.1 is a private address"));

  scripted_->Answer({{"127.0.0.1"}});
  const std::string endpoint = NewEndpoint(Url(receiver));
  scripted_->Answer({{"127.0.0.1", "10.0.0.1"}});
  Dispatch(Options({0s, 0s}));
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  EXPECT_THAT(LastAttempt(endpoint).error, HasSubstr("10.0.0.1 is a private address"));
  EXPECT_EQ(receiver.Count(), 0u);
}

TEST_F(AddressPinningTest, TheHostHeaderIsTheUrlsHostWhicheverAddressIsConnectedTo) {
  Receiver& receiver = NewReceiver();
  scripted_->Answer({{"127.0.0.1"}});
  const std::string endpoint = NewEndpoint(Url(receiver));
  Dispatch(Options({0s, 0s}));
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  ASSERT_EQ(receiver.Count(), 1u);
  EXPECT_EQ(receiver.Received()[0].get_header_value("Host"),
            std::string(kHost) + ":" + std::to_string(receiver.Port()));
  EXPECT_EQ(receiver.Received()[0].get_header_value_count("Host"), 1u);
}

TEST_F(AddressPinningTest, ACheckedAddressThatRefusesTheConnectionGivesWayToTheNextOne) {
  Receiver& receiver = NewReceiver();  // on 127.0.0.1; nothing listens on 127.0.0.3
  scripted_->Answer({{"127.0.0.3", "127.0.0.1"}});
  const std::string endpoint = NewEndpoint(Url(receiver));
  Dispatch(Options({0s, 0s}));
  Publish();
  EXPECT_EQ(dispatcher_->RunOnce(), 1u);
  EXPECT_EQ(receiver.Count(), 1u);
  EXPECT_EQ(LastAttempt(endpoint).http_status, 200);
}

TEST_F(AddressPinningTest, OverHttpsTheServerNameIsTheUrlsHostAndTheCertificateMustNameIt) {
  const testing::TestCertificate named =
      testing::MakeTestCertificate(scratch_.path, "DNS:" + std::string(kHost));
  Receiver& receiver = NewReceiver(&named);
  EXPECT_EQ(DeliverOverHttps(named, receiver).http_status, 200);
  EXPECT_EQ(receiver.Count(), 1u);
  EXPECT_THAT(receiver.ServerNames(), ElementsAre(kHost));
}

TEST_F(AddressPinningTest, OverHttpsACertificateForTheAddressAloneDoesNotStandForTheName) {
  const testing::TestCertificate for_address =
      testing::MakeTestCertificate(scratch_.path, "IP:127.0.0.1");
  Receiver& receiver = NewReceiver(&for_address);
  const DeliveryAttempt attempt = DeliverOverHttps(for_address, receiver);
  EXPECT_FALSE(attempt.http_status.has_value());
  EXPECT_THAT(attempt.error, HasSubstr("SSL"));
  EXPECT_EQ(receiver.Count(), 0u);
}

}  // namespace
}  // namespace recur::address_pinning_test
