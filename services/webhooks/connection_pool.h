// HTTP clients kept open between webhook attempts (keep-alive), per origin ("scheme://host:port")
// and the address they connect to. Take hands out an idle client of the two or a new one; Give
// takes it back after an answer. A client given an address connects to that address alone,
// every time it (re)connects, and never resolves the host; the URL's host is still what it sends
// as Host, as TLS server name (SNI) and what the server's certificate must name. A client idle for
// longer than `idle_timeout` is closed rather than reused, ahead of the receiver closing it (HTTP
// servers commonly close idle connections after 5 s).
// HTTPS clients verify the server's certificate against the system's CA store and, when set,
// the certificates of `extra_ca_file` too (a private CA, or a test's own).
// Thread-safe.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/error.h"
#include "domain/webhooks/url_policy.h"

namespace recur {

struct ConnectionPoolOptions {
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds read_timeout{15};
  std::chrono::milliseconds idle_timeout{4000};
  std::string extra_ca_file;  // PEM; empty: the system's CA store alone
};

class ConnectionPool {
 public:
  explicit ConnectionPool(ConnectionPoolOptions options) : options_(std::move(options)) {}

  // A client for `url`'s origin that connects to `address`, or, with none, to what the system
  // resolves the host to (for URLs not held to the SSRF policy).
  std::unique_ptr<httplib::ClientImpl> Take(const WebhookUrl& url,
                                            const std::optional<IpAddress>& address);
  // Back for reuse, with the arguments it was taken with. A client whose request failed in
  // transport should be dropped instead.
  void Give(const WebhookUrl& url, const std::optional<IpAddress>& address,
            std::unique_ptr<httplib::ClientImpl> client);
  // Closes the clients idle for too long.
  void CloseIdle();

 private:
  struct Idle {
    std::unique_ptr<httplib::ClientImpl> client;
    std::chrono::steady_clock::time_point since;
  };

  std::unique_ptr<httplib::ClientImpl> NewClient(const WebhookUrl& url,
                                                 const std::optional<IpAddress>& address) const;

  const ConnectionPoolOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Idle>> idle_;  // by PoolKey
};

// Whether `path` is a readable PEM file holding at least one certificate; an error is code
// "invalid_ca_file", param "ca_file".
Status CheckCaFile(const std::string& path);

}  // namespace recur
