// Raw HTTP for end-to-end tests of the server's edge: a TCP connection to the server from any
// loopback address, on which anything may be written (framing a well-behaved client would not
// send, a request from another client address), and the parsing of what comes back. Every read
// has a deadline, so that a server that hangs fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tests/support/wait.h"

namespace recur::testing {

class RawConnection {
 public:
  // Connects from `source` (any loopback address) to 127.0.0.1:`port`.
  explicit RawConnection(int port, const char* source = "127.0.0.1");
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  // Writes `bytes`; false when the server no longer takes them.
  bool Send(std::string_view bytes);
  // Reads what arrives within `wait`, up to the end of one answer (its head only when
  // `with_body` is false, as for HEAD); sets closed() when the server ended the connection.
  std::string Read(std::chrono::milliseconds wait, bool with_body = true);
  // Reads until the server closes the connection (or `patience` passes), returning everything.
  std::string ReadUntilClosed(std::chrono::milliseconds patience = kPatience);

  bool closed() const { return closed_; }

 private:
  int socket_ = -1;
  bool connected_ = false;
  bool closed_ = false;
};

struct RawAnswer {
  int status = 0;
  std::string head;
  std::string body;      // what follows the head, as sent (a chunked body is not unchunked)
  nlohmann::json error;  // the error object of a JSON error answer
};

// The status, head, body and error object of an answer as Read returned it; status 0 when it
// is not an HTTP/1.1 answer.
RawAnswer ParseAnswer(const std::string& text);

// The value of header `name` in an answer's head ("" when it has none).
std::string HeaderValue(const RawAnswer& answer, std::string_view name);

}  // namespace recur::testing
