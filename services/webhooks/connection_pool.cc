#include "services/webhooks/connection_pool.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>

namespace recur {

std::unique_ptr<httplib::Client> ConnectionPool::NewClient(const std::string& origin) const {
  auto client = std::make_unique<httplib::Client>(origin);
  client->set_connection_timeout(options_.connect_timeout);
  client->set_read_timeout(options_.read_timeout);
  client->set_write_timeout(options_.read_timeout);
  client->set_follow_location(false);
  client->set_keep_alive(true);
  // Without it, Nagle's algorithm holds the body (sent after the headers) on a kept-open
  // connection until the receiver's delayed ACK: about 40 ms per delivery.
  client->set_tcp_nodelay(true);
  client->enable_server_certificate_verification(true);
  if (SSL_CTX* context = client->ssl_context();
      context != nullptr && !options_.extra_ca_file.empty()) {
    // The system's store and the extra file both go into this client's own store (cpp-httplib
    // would otherwise trust only the file).
    SSL_CTX_set_default_verify_paths(context);
    SSL_CTX_load_verify_locations(context, options_.extra_ca_file.c_str(), nullptr);
  }
  return client;
}

std::unique_ptr<httplib::Client> ConnectionPool::Take(const std::string& origin) {
  const auto now = std::chrono::steady_clock::now();
  std::unique_ptr<httplib::Client> reused;
  std::vector<Idle> expired;  // closed outside the lock
  {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(origin);
    if (it != idle_.end()) {
      std::vector<Idle>& clients = it->second;
      while (!clients.empty() && !reused) {
        Idle idle = std::move(clients.back());
        clients.pop_back();
        if (now - idle.since < options_.idle_timeout) {
          reused = std::move(idle.client);
        } else {
          expired.push_back(std::move(idle));
        }
      }
      if (clients.empty()) idle_.erase(it);
    }
  }
  return reused ? std::move(reused) : NewClient(origin);
}

void ConnectionPool::Give(const std::string& origin, std::unique_ptr<httplib::Client> client) {
  std::lock_guard lock(mutex_);
  idle_[origin].push_back({std::move(client), std::chrono::steady_clock::now()});
}

void ConnectionPool::CloseIdle() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<Idle> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = idle_.begin(); it != idle_.end();) {
      std::erase_if(it->second, [&](Idle& idle) {
        if (now - idle.since < options_.idle_timeout) return false;
        expired.push_back(std::move(idle));
        return true;
      });
      it = it->second.empty() ? idle_.erase(it) : std::next(it);
    }
  }
}

Status CheckCaFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_ca_file",
                     "cannot read the CA file " + path, "ca_file");
  }
  X509* certificate = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (certificate == nullptr) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_ca_file",
                     "the CA file " + path + " holds no PEM certificate", "ca_file");
  }
  X509_free(certificate);
  return Ok();
}

}  // namespace recur
