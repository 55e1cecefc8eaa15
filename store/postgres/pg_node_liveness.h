// A node's sign of life on a PostgreSQL database shared by several nodes: for as long as it
// lives, it holds a session advisory lock on a connection of its own (not one of the store's
// pool), under a key of its own registered in the `nodes` table (schema/postgres/0011). The rule
// every take-over of a lease follows, recur_lease_lapsed(owner, lease_until) in that migration,
// ends the leases of a node whose lock is not held at once, and those of a live node when they
// lapse by time.
// Why the lock tells a dead node from a paused one: a killed process's socket is closed by its
// machine's kernel, its backend ends and the lock goes with it; a paused process (SIGSTOP, a long
// GC) keeps its connection, so its lock, and its leases run until they lapse. A machine that
// vanishes without closing its sockets (power lost, a partition) keeps its lock until the
// server's TCP keepalive gives up on it: its leases then lapse by time, as before.
// When the connection drops while the node lives (PostgreSQL restarted, the backend
// terminated), the lock is gone and other nodes take the node's leases over; a thread looks at
// the connection every `check_period` (without a round trip: PgConnection::ClosedByServer) and
// takes the lock again once the server answers. The node's old leases are not its own in between:
// what another node took carries a new fencing token, so the node's late writes under the old
// one are refused (account_store.h, webhook_delivery_store.h, idempotency_store.h).
// Starting also tidies the table: nodes gone for an hour, past any lease they could hold, are
// deleted.
// The lock is released when this object is destroyed (its connection closed). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/error.h"
#include "store/postgres/pg_connection.h"

namespace recur {

class PgNodeLiveness {
 public:
  // Connects, registers `node_id` and takes its lock; fails when the server cannot be reached.
  static Result<std::unique_ptr<PgNodeLiveness>> Start(
      const PgConnection::Settings& settings, std::string node_id,
      std::chrono::milliseconds check_period = std::chrono::milliseconds(500));
  ~PgNodeLiveness();
  PgNodeLiveness(const PgNodeLiveness&) = delete;
  PgNodeLiveness& operator=(const PgNodeLiveness&) = delete;

  // Whether the lock was held when last looked at.
  bool held() const { return held_; }

 private:
  PgNodeLiveness(PgConnection::Settings settings, std::string node_id,
                 std::chrono::milliseconds check_period)
      : settings_(std::move(settings)), node_id_(std::move(node_id)), period_(check_period) {}
  // Opens the connection if it has none, registers the node and takes its lock.
  Status Take();
  void Watch();

  const PgConnection::Settings settings_;
  const std::string node_id_;
  const std::chrono::milliseconds period_;
  std::unique_ptr<PgConnection> connection_;  // the watching thread's alone once started
  std::atomic<bool> held_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace recur
