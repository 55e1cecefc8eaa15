#include "store/postgres/pg_node_liveness.h"

#include "store/postgres/pg_lease_rule.h"

namespace recur {
namespace {

// Registers the node (or finds it registered, and no longer gone) and tries its lock, under the
// class key of schema/postgres/0011: true when taken. Session-level, so the lock outlives the
// statement and ends with the connection.
const std::string kRegisterAndLock =
    "WITH node AS (INSERT INTO nodes (node_id, lock_key, started_at) "
    "VALUES ($1, nextval('node_lock_keys'), " +
    std::string(kPgDatabaseNow) +
    ") ON CONFLICT (node_id) DO UPDATE SET gone_since = NULL RETURNING lock_key) "
    "SELECT pg_try_advisory_lock(1380144466, lock_key) FROM node";

// Nodes found dead are marked so, and those dead for an hour (past any lease they could still
// hold) are deleted; a node that takes its lock again registers anew.
const std::string kTidyNodes =
    "WITH now AS (SELECT " + std::string(kPgDatabaseNow) +
    " AS ms), dead AS (SELECT node_id FROM recur_dead_nodes), "
    "marked AS (UPDATE nodes SET gone_since = now.ms FROM now, dead WHERE "
    "nodes.node_id = dead.node_id AND gone_since IS NULL) "
    "DELETE FROM nodes USING now, dead WHERE nodes.node_id = dead.node_id AND "
    "gone_since < now.ms - 3600000";

}  // namespace

Result<std::unique_ptr<PgNodeLiveness>> PgNodeLiveness::Start(
    const PgConnection::Settings& settings, std::string node_id,
    std::chrono::milliseconds check_period) {
  std::unique_ptr<PgNodeLiveness> liveness(
      new PgNodeLiveness(settings, std::move(node_id), check_period));
  if (Status taken = liveness->Take(); !taken) return std::unexpected(taken.error());
  if (auto tidied = liveness->connection_->Exec({"tidying the nodes table"}, kTidyNodes); !tidied) {
    return std::unexpected(tidied.error());
  }
  liveness->held_ = true;
  liveness->watcher_ = std::thread([raw = liveness.get()] { raw->Watch(); });
  return liveness;
}

PgNodeLiveness::~PgNodeLiveness() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

Status PgNodeLiveness::Take() {
  if (connection_ == nullptr || connection_->broken()) {
    connection_.reset();
    auto opened = PgConnection::Open(settings_);
    if (!opened) return std::unexpected(opened.error());
    connection_ = std::move(*opened);
  }
  const Doing doing{"taking the lock of node", node_id_};
  auto locked = connection_->Exec(doing, kRegisterAndLock, PgParams::Of(node_id_));
  if (!locked) return std::unexpected(locked.error());
  // Held by another session: the old connection's backend has not ended yet.
  if (!locked->Bool(0, 0)) {
    return MakeError(ErrorKind::kUnavailable, "unavailable",
                     "the lock of node " + node_id_ + " is still held by its old connection");
  }
  return Ok();
}

void PgNodeLiveness::Watch() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    if (connection_ == nullptr || connection_->ClosedByServer()) held_ = false;
    if (!held_) held_ = Take().has_value();
    lock.lock();
  }
}

}  // namespace recur
