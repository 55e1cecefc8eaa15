#include "services/webhooks/connection_pool.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>

#include "base/host_port.h"

namespace recur {
namespace {

// "https://example.com:443 at 203.0.113.7": clients are reused only for the same both.
std::string PoolKey(const WebhookUrl& url, const std::optional<IpAddress>& address) {
  std::string key = url.scheme + "://" + HostPort(url.host, url.port);
  if (address) key += " at " + FormatIpAddress(*address);
  return key;
}

}  // namespace

std::unique_ptr<httplib::ClientImpl> ConnectionPool::NewClient(
    const WebhookUrl& url, const std::optional<IpAddress>& address) const {
  // Made from the host and port (not an origin string, which cpp-httplib 0.11 misreads for IPv6
  // literals with letters), so that the host is the URL's own in SNI and certificate checks.
  std::unique_ptr<httplib::ClientImpl> client;
  if (url.scheme == "https") {
    client = std::make_unique<httplib::SSLClient>(url.host, url.port);
  } else {
    client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
  }
  // The address map is consulted at every connect, so a reconnect goes to the same address.
  if (address) client->set_hostname_addr_map({{url.host, FormatIpAddress(*address)}});
  client->set_connection_timeout(options_.connect_timeout);
  client->set_read_timeout(options_.read_timeout);
  client->set_write_timeout(options_.read_timeout);
  client->set_follow_location(false);
  client->set_keep_alive(true);
  // Without it, Nagle's algorithm holds the body (sent after the headers) on a kept-open
  // connection until the receiver's delayed ACK: about 40 ms per delivery.
  client->set_tcp_nodelay(true);
  client->enable_server_certificate_verification(true);
  auto* tls = dynamic_cast<httplib::SSLClient*>(client.get());
  if (SSL_CTX* context = tls != nullptr ? tls->ssl_context() : nullptr;
      context != nullptr && !options_.extra_ca_file.empty()) {
    // The system's store and the extra file both go into this client's own store (cpp-httplib
    // would otherwise trust only the file).
    SSL_CTX_set_default_verify_paths(context);
    SSL_CTX_load_verify_locations(context, options_.extra_ca_file.c_str(), nullptr);
  }
  return client;
}

std::unique_ptr<httplib::ClientImpl> ConnectionPool::Take(const WebhookUrl& url,
                                                          const std::optional<IpAddress>& address) {
  const std::string key = PoolKey(url, address);
  const auto now = std::chrono::steady_clock::now();
  std::unique_ptr<httplib::ClientImpl> reused;
  std::vector<Idle> expired;  // closed outside the lock
  {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
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
  return reused ? std::move(reused) : NewClient(url, address);
}

void ConnectionPool::Give(const WebhookUrl& url, const std::optional<IpAddress>& address,
                          std::unique_ptr<httplib::ClientImpl> client) {
  const std::string key = PoolKey(url, address);
  std::lock_guard lock(mutex_);
  idle_[key].push_back({std::move(client), std::chrono::steady_clock::now()});
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
