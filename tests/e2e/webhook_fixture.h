// Shared set-up of the webhook end-to-end tests: `recur serve` allowed to deliver to loopback,
// receivers there in the test process, endpoints made through the API, and the server's own
// record of its deliveries read back and waited for. A test that must show that nothing more is
// sent waits until the server has nothing left to send (SettledAttempts) instead of for a while.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/fixture.h"
#include "tests/support/wait.h"
#include "tests/support/webhook_receiver.h"

namespace recur::testing {

class WebhookServeTest : public ServeTest {
 protected:
  // Held answers are released, then the server stops, then the receivers: stopped while the
  // server still kept connections open to them, each would wait out its keep-alive second.
  void TearDown() override {
    for (const std::unique_ptr<Receiver>& receiver : receivers_) receiver->Release();
    server_.reset();
    receivers_.clear();
  }

  // A receiver that lives until the test's server has stopped; over HTTPS with `tls`.
  Receiver& NewReceiver(const TestCertificate* tls = nullptr) {
    return *receivers_.emplace_back(std::make_unique<Receiver>(tls));
  }

  // The server's options for delivering to loopback with `retry_schedule`
  // (--webhook-retry-schedule) and `more` flags.
  RecurServer::Options DeliveringOptions(const std::string& retry_schedule,
                                         const std::vector<std::string>& more = {}) const {
    RecurServer::Options options = Options();
    options.args = {"--webhook-allow-cidr", "127.0.0.0/8", "--webhook-retry-schedule",
                    retry_schedule};
    options.args.insert(options.args.end(), more.begin(), more.end());
    return options;
  }

  void StartDelivering(const std::string& retry_schedule,
                       const std::vector<std::string>& more = {}) {
    server_ = RecurServer::Start(DeliveringOptions(retry_schedule, more));
    if (!server_) throw std::runtime_error("recur serve did not start");
  }

  nlohmann::json NewEndpoint(const std::string& url,
                             nlohmann::json event_types = nlohmann::json::array()) {
    Answer created =
        Call("POST", "/v1/webhook_endpoints", {{"url", url}, {"event_types", event_types}});
    if (created.status != 200) throw std::runtime_error(created.body.dump());
    return created.body;
  }

  nlohmann::json EndpointState(const std::string& endpoint_id) {
    return Call("GET", "/v1/webhook_endpoints/" + endpoint_id).body;
  }

  // The endpoint's attempt log, newest first.
  nlohmann::json AttemptsOf(const std::string& endpoint_id) {
    return Call("GET", "/v1/webhook_endpoints/" + endpoint_id + "/attempts").body["data"];
  }

  // How many of the endpoint's deliveries the server has still to send or is sending, read from
  // its database beside it (the API lists attempts, not deliveries): a delivery stays pending
  // until the attempt that delivers it or gives it up is recorded.
  int PendingDeliveries(const std::string& endpoint_id) const {
    return static_cast<int>(
        StoredNumber("SELECT COUNT(*) FROM webhook_deliveries WHERE status = "
                     "'pending' AND endpoint_id = " +
                     Quoted(endpoint_id)));
  }

  // Waits until the server has nothing left to send to the endpoint and its attempt log holds at
  // least `count` attempts, and returns the log. Every request the server made to the endpoint
  // is then in it (and at its receiver), and none will follow unless something new is queued.
  nlohmann::json SettledAttempts(const std::string& endpoint_id, std::size_t count) {
    nlohmann::json attempts;
    EXPECT_TRUE(
        WaitUntil(std::to_string(count) + " attempts and none to come at " + endpoint_id, [&] {
          if (PendingDeliveries(endpoint_id) > 0) return false;
          attempts = AttemptsOf(endpoint_id);
          return attempts.size() >= count;
        }));
    return attempts;
  }

  // Waits until the endpoint's attempt log holds at least `count` attempts, and sets `attempts`
  // to it. The receiver counts a request as it arrives, before the server has the answer and
  // records the attempt: what the server made of an answer is known only from here.
  ::testing::AssertionResult WaitForAttempts(const std::string& endpoint_id, std::size_t count,
                                             nlohmann::json& attempts) {
    return WaitUntil(std::to_string(count) + " attempts in the log of " + endpoint_id, [&] {
      attempts = AttemptsOf(endpoint_id);
      return attempts.size() >= count;
    });
  }

 private:
  std::vector<std::unique_ptr<Receiver>> receivers_;
};

}  // namespace recur::testing
