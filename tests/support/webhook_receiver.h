// An HTTP receiver for webhook deliveries in tests: an httplib server on a free port of
// 127.0.0.1 (or a given loopback address and port), in the test process, that records every POST it
// gets (whatever the path) and answers with the statuses it is told, in order (then 200), with a
// Retry-After header when told, after an optional delay, and not before it is released when held.
// Each request is recorded as it arrives, with when it came and when its answer was ready, so that
// a test that kills the sender can tell the answers the sender may have seen from those it cannot
// have. With a TestCertificate it speaks HTTPS. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/support/test_certificate.h"
#include "tests/support/wait.h"

namespace recur::testing {

// A request as the receiver got it.
struct ReceivedRequest {
  httplib::Request request;
  std::chrono::steady_clock::time_point arrived_at;
  // When the answer was ready to go out (after the delay); none before.
  std::optional<std::chrono::steady_clock::time_point> answered_at;
};

class Receiver {
 public:
  // Listening when constructed (the running test fails if it cannot listen); over HTTPS with
  // `tls`'s certificate when given.
  explicit Receiver(const TestCertificate* tls = nullptr);
  // The same on `address` (a loopback address such as 127.0.0.2) and `port`; 0: a free one.
  Receiver(const TestCertificate* tls, std::string address, int port);
  ~Receiver();  // releases held answers first
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::string Url(const std::string& path = "/hooks") const;
  int Port() const { return port_; }
  // The statuses of the next answers, in order; 302 comes with a Location header.
  void AnswerWith(std::deque<int> statuses);
  // The Retry-After header of every answer from now on; empty: none.
  void RetryAfter(std::string value);
  // How long each answer waits after the request is recorded.
  void Delay(std::chrono::milliseconds delay);
  // From Hold until Release, answers wait (after their delay): an endpoint that hangs.
  void Hold();
  void Release();
  // Called with each request as it arrives, after it is recorded and before the delay; none
  // clears it.
  void OnArrival(std::function<void(const httplib::Request&)> hook);

  // Every request recorded so far, in the order they arrived.
  std::vector<httplib::Request> Received() const;
  // The same with their arrival and answer times.
  std::vector<ReceivedRequest> Log() const;
  std::size_t Count() const;
  // Over HTTPS: the server name (SNI) of each TLS handshake, "" when the client sent none.
  std::vector<std::string> ServerNames() const;
  void RecordServerName(std::string name);  // called by the handshake
  // Waits until `count` requests are recorded; fails, saying how many came, after `timeout`.
  ::testing::AssertionResult WaitFor(std::size_t count,
                                     std::chrono::milliseconds timeout = kPatience) const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::string scheme_;
  std::string address_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::vector<ReceivedRequest> received_;
  std::vector<std::string> server_names_;
  std::deque<int> statuses_;
  std::string retry_after_;
  std::chrono::milliseconds delay_{0};
  bool held_ = false;
  std::function<void(const httplib::Request&)> on_arrival_;
};

}  // namespace recur::testing
