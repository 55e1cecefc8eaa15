#include "http/connection_deadlines.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace recur {

struct ConnectionDeadlines::Connection {
  int socket;
  // Steady-clock ticks; the largest value when there is no deadline.
  std::atomic<std::int64_t> deadline;
  // No request under way: the next head has not begun to be judged.
  std::atomic<bool> awaiting_head = true;
  bool shut_down = false;  // under the mutex
};

namespace {

constexpr std::int64_t kNoDeadline = INT64_MAX;

std::int64_t Ticks(std::optional<ConnectionDeadlines::TimePoint> deadline) {
  return deadline ? deadline->time_since_epoch().count() : kNoDeadline;
}

}  // namespace

ConnectionDeadlines::ConnectionDeadlines(std::chrono::milliseconds tick)
    : tick_(tick), reaper_([this] { Reap(); }) {}

ConnectionDeadlines::~ConnectionDeadlines() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  reaper_.join();
  for (Connection* connection : open_) delete connection;
  for (const Lingering& lingering : lingering_) ::close(lingering.socket);
}

ConnectionDeadlines::Connection* ConnectionDeadlines::Opened(int socket, TimePoint deadline) {
  auto* connection = new Connection{socket, Ticks(deadline)};
  std::lock_guard lock(mutex_);
  open_.insert(connection);
  return connection;
}

void ConnectionDeadlines::Set(Connection* connection, std::optional<TimePoint> deadline) {
  if (connection == nullptr) return;
  connection->awaiting_head = false;
  connection->deadline.store(Ticks(deadline));
}

void ConnectionDeadlines::AwaitHead(Connection* connection, TimePoint deadline) {
  if (connection == nullptr) return;
  connection->deadline.store(Ticks(deadline));
  connection->awaiting_head = true;
}

void ConnectionDeadlines::ShutDownAwaitingHead() {
  std::lock_guard lock(mutex_);
  for (Connection* connection : open_) {
    if (!connection->shut_down && connection->awaiting_head) {
      ::shutdown(connection->socket, SHUT_RDWR);
      connection->shut_down = true;
    }
  }
}

void ConnectionDeadlines::Closed(Connection* connection) {
  if (connection == nullptr) return;
  {
    std::lock_guard lock(mutex_);
    open_.erase(connection);
  }
  delete connection;
}

void ConnectionDeadlines::Linger(int socket, TimePoint until) {
  const int own = ::fcntl(socket, F_DUPFD_CLOEXEC, 0);
  if (own < 0) return;
  std::lock_guard lock(mutex_);
  lingering_.push_back({own, until});
}

void ConnectionDeadlines::DrainLingering() {
  const TimePoint now = std::chrono::steady_clock::now();
  std::erase_if(lingering_, [now](const Lingering& lingering) {
    char dropped[65536];
    ssize_t got = 0;
    // A bounded amount per tick, so that a fast sender cannot hold the thread.
    for (int reads = 0; reads < 64; ++reads) {
      got = ::recv(lingering.socket, dropped, sizeof dropped, MSG_DONTWAIT);
      if (got <= 0) break;
    }
    const bool ended = got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    if (!ended && now < lingering.until) return false;
    ::close(lingering.socket);
    return true;
  });
}

void ConnectionDeadlines::Reap() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, tick_);
    const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
    for (Connection* connection : open_) {
      if (!connection->shut_down && connection->deadline.load() < now) {
        ::shutdown(connection->socket, SHUT_RDWR);
        connection->shut_down = true;
      }
    }
    DrainLingering();
  }
}

}  // namespace recur
