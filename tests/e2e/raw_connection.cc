#include "tests/e2e/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace recur::testing {
namespace {

// Whether an answer's body is not all in yet.
bool WantsMore(const std::string& received) {
  const std::size_t head_end = received.find("\r\n\r\n");
  static const std::string kLength = "Content-Length: ";
  const std::size_t at = received.find(kLength);
  if (at == std::string::npos || at > head_end) return false;
  const std::size_t length = std::stoul(received.substr(at + kLength.size()));
  return received.size() < head_end + 4 + length;
}

}  // namespace

RawConnection::RawConnection(int port, const char* source) {
  socket_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, source, &local.sin_addr);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  connected_ = ::bind(socket_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
               ::connect(socket_, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0;
}

RawConnection::~RawConnection() { ::close(socket_); }

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(socket_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

std::string RawConnection::Read(std::chrono::milliseconds wait, bool with_body) {
  const timeval timeout{static_cast<time_t>(wait.count() / 1000),
                        static_cast<suseconds_t>(wait.count() % 1000 * 1000)};
  ::setsockopt(socket_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string received;
  char buffer[65536];
  while (!closed_) {
    const ssize_t got = ::recv(socket_, buffer, sizeof buffer, 0);
    if (got > 0) {
      received.append(buffer, static_cast<std::size_t>(got));
      if (received.find("\r\n\r\n") != std::string::npos && (!with_body || !WantsMore(received))) {
        break;
      }
    } else if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      closed_ = true;
    } else {
      break;  // nothing more within `wait`
    }
  }
  return received;
}

std::string RawConnection::ReadUntilClosed(std::chrono::milliseconds patience) {
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (!closed_ && std::chrono::steady_clock::now() < deadline) {
    received += Read(std::chrono::milliseconds(250));
  }
  return received;
}

RawAnswer ParseAnswer(const std::string& text) {
  RawAnswer answer;
  if (text.rfind("HTTP/1.1 ", 0) != 0) return answer;
  answer.status = std::stoi(text.substr(9, 3));
  const std::size_t head_end = text.find("\r\n\r\n");
  answer.head = text.substr(0, head_end);
  if (head_end != std::string::npos) {
    answer.body = text.substr(head_end + 4);
    nlohmann::json body = nlohmann::json::parse(answer.body, nullptr, false);
    if (body.is_object() && body.contains("error")) answer.error = body["error"];
  }
  return answer;
}

std::string HeaderValue(const RawAnswer& answer, std::string_view name) {
  const std::string prefix = "\r\n" + std::string(name) + ": ";
  const std::size_t at = answer.head.find(prefix);
  if (at == std::string::npos) return "";
  const std::size_t start = at + prefix.size();
  return answer.head.substr(start, answer.head.find("\r\n", start) - start);
}

}  // namespace recur::testing
