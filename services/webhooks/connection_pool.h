// HTTP clients kept open between webhook attempts (keep-alive), per origin
// ("scheme://host:port"). Take hands out an idle client of the origin or a new one; Give takes it
// back after an answer. A client idle for longer than `idle_timeout` is closed rather than reused,
// ahead of the receiver closing it (HTTP servers commonly close idle connections after 5 s).
// HTTPS clients verify the server's certificate against the system's CA store and, when set,
// the certificates of `extra_ca_file` too (a private CA, or a test's own).
// Thread-safe.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/error.h"

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

  std::unique_ptr<httplib::Client> Take(const std::string& origin);
  // Back for reuse. A client whose request failed in transport should be dropped instead.
  void Give(const std::string& origin, std::unique_ptr<httplib::Client> client);
  // Closes the clients idle for too long.
  void CloseIdle();

 private:
  struct Idle {
    std::unique_ptr<httplib::Client> client;
    std::chrono::steady_clock::time_point since;
  };

  std::unique_ptr<httplib::Client> NewClient(const std::string& origin) const;

  const ConnectionPoolOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Idle>> idle_;
};

// Whether `path` is a readable PEM file holding at least one certificate; an error is code
// "invalid_ca_file", param "ca_file".
Status CheckCaFile(const std::string& path);

}  // namespace recur
