#include "tests/support/webhook_receiver.h"

#include <openssl/ssl.h>

namespace recur::testing {

using namespace std::chrono_literals;

namespace {

// Records the server name (SNI) a TLS client asked for, or "" for none.
int OnServerName(SSL* ssl, int*, void* receiver) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  static_cast<Receiver*>(receiver)->RecordServerName(name == nullptr ? "" : name);
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

Receiver::Receiver(const TestCertificate* tls) : Receiver(tls, "127.0.0.1", 0) {}

Receiver::Receiver(const TestCertificate* tls, std::string address, int port)
    : server_(tls == nullptr ? std::make_unique<httplib::Server>()
                             : std::make_unique<httplib::SSLServer>(tls->certificate_path.c_str(),
                                                                    tls->key_path.c_str())),
      scheme_(tls == nullptr ? "http" : "https"),
      address_(std::move(address)) {
  server_->Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
    int status = 200;
    std::string retry_after;
    std::chrono::milliseconds delay{0};
    std::size_t index = 0;
    std::function<void(const httplib::Request&)> on_arrival;
    {
      std::lock_guard lock(mutex_);
      index = received_.size();
      received_.push_back({request, std::chrono::steady_clock::now(), std::nullopt});
      if (!statuses_.empty()) {
        status = statuses_.front();
        statuses_.pop_front();
      }
      retry_after = retry_after_;
      delay = delay_;
      on_arrival = on_arrival_;
    }
    if (on_arrival) on_arrival(request);
    std::this_thread::sleep_for(delay);
    response.status = status;
    if (status == 302) response.set_header("Location", "/moved");
    if (!retry_after.empty()) response.set_header("Retry-After", retry_after);
    response.set_content("{}", "application/json");
    std::unique_lock lock(mutex_);
    released_.wait(lock, [this] { return !held_; });
    received_[index].answered_at = std::chrono::steady_clock::now();
  });
  if (tls != nullptr) {
    SSL_CTX* context = static_cast<httplib::SSLServer&>(*server_).ssl_context();
    SSL_CTX_set_tlsext_servername_callback(context, OnServerName);
    SSL_CTX_set_tlsext_servername_arg(context, this);
  }
  // Kept-open connections are closed after 1 s idle, so that stopping takes no longer.
  server_->set_keep_alive_timeout(1);
  server_->set_tcp_nodelay(true);  // as real receivers do: no 40 ms wait for a delayed ACK
  port_ = port == 0 ? server_->bind_to_any_port(address_)
                    : (server_->bind_to_port(address_, port) ? port : -1);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // A receiver that never listened would see nothing, which a test may take for a check passed.
  if (port_ < 0 || !PollUntil([this] { return server_->is_running(); }, kPatience, 1ms)) {
    ADD_FAILURE() << "the webhook receiver is not listening on " << address_;
  }
}

Receiver::~Receiver() {
  Release();
  server_->stop();
  thread_.join();
}

std::string Receiver::Url(const std::string& path) const {
  return scheme_ + "://" + address_ + ":" + std::to_string(port_) + path;
}

void Receiver::AnswerWith(std::deque<int> statuses) {
  std::lock_guard lock(mutex_);
  statuses_ = std::move(statuses);
}

void Receiver::RetryAfter(std::string value) {
  std::lock_guard lock(mutex_);
  retry_after_ = std::move(value);
}

void Receiver::Delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delay_ = delay;
}

void Receiver::Hold() {
  std::lock_guard lock(mutex_);
  held_ = true;
}

void Receiver::Release() {
  {
    std::lock_guard lock(mutex_);
    held_ = false;
  }
  released_.notify_all();
}

void Receiver::OnArrival(std::function<void(const httplib::Request&)> hook) {
  std::lock_guard lock(mutex_);
  on_arrival_ = std::move(hook);
}

std::vector<httplib::Request> Receiver::Received() const {
  std::lock_guard lock(mutex_);
  std::vector<httplib::Request> requests;
  requests.reserve(received_.size());
  for (const ReceivedRequest& received : received_) requests.push_back(received.request);
  return requests;
}

std::vector<ReceivedRequest> Receiver::Log() const {
  std::lock_guard lock(mutex_);
  return received_;
}

void Receiver::RecordServerName(std::string name) {
  std::lock_guard lock(mutex_);
  server_names_.push_back(std::move(name));
}

std::vector<std::string> Receiver::ServerNames() const {
  std::lock_guard lock(mutex_);
  return server_names_;
}

std::size_t Receiver::Count() const {
  std::lock_guard lock(mutex_);
  return received_.size();
}

::testing::AssertionResult Receiver::WaitFor(std::size_t count,
                                             std::chrono::milliseconds timeout) const {
  ::testing::AssertionResult waited = WaitUntil(
      std::to_string(count) + " requests at " + Url(""), [&] { return Count() >= count; }, timeout);
  if (!waited) waited << " (" << Count() << " came)";
  return waited;
}

}  // namespace recur::testing
