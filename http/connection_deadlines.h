// Overall deadlines for a connection's phases (its request head, its body), which
// libmicrohttpd's idle timeout does not give: a client sending a byte a second is never idle.
// A reaper thread shuts down the socket of a connection past its deadline; the library then
// sees the connection end and closes it. The transport reports each connection's opening and
// closing (Opened, Closed) and moves its deadline as its requests go (Set).
// The same thread lingers over refused connections (Linger): the client may still be sending a
// body the server will not read, and closing a socket with unread bytes resets it, which loses
// the answer on its way. It holds its own descriptor of the socket, so the library's close does
// not reset it, reads and drops what arrives until the client closes or the time is up, then
// closes it.
// Thread safety: every member may be called from any thread. Closed() must come before the
// socket is closed, so that a shut-down descriptor is always the connection's own.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

namespace recur {

class ConnectionDeadlines {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Connection;

  // `tick`: how often deadlines are checked, so how late past its deadline a connection may end.
  explicit ConnectionDeadlines(std::chrono::milliseconds tick);
  ~ConnectionDeadlines();

  // A new connection, awaiting its first request's head until `deadline`.
  Connection* Opened(int socket, TimePoint deadline);
  // A new deadline, or none (while a handler works on the request, say).
  void Set(Connection* connection, std::optional<TimePoint> deadline);
  // The connection is between requests (kept alive), awaiting the next head until `deadline`.
  void AwaitHead(Connection* connection, TimePoint deadline);
  // Shuts down every connection awaiting a head: a stopping server's idle ones, at once.
  void ShutDownAwaitingHead();
  void Closed(Connection* connection);
  // Keeps `socket` (a descriptor of its own: the caller's stays the caller's) open until
  // `until`, dropping what arrives.
  void Linger(int socket, TimePoint until);

 private:
  void Reap();
  void DrainLingering();

  struct Lingering {
    int socket;
    TimePoint until;
  };

  std::chrono::milliseconds tick_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::unordered_set<Connection*> open_;
  std::vector<Lingering> lingering_;
  std::thread reaper_;
};

}  // namespace recur
