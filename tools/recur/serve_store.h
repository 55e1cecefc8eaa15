// Where `recur serve` keeps everything: the one place that chooses the backend from --db.
// A SQLite file: the database's lock is taken first (one server per file, database_lock.h),
// its files and the sandbox's `FILE.sandbox` are made private (private_files.h), then the
// store and the sandbox's ledger are opened on them. A PostgreSQL database: the store and the
// sandbox's ledger (in the same database) on pools of their own. Either way the program gets
// the same interfaces: a Store (store/store.h) and a SandboxLedger.
// The database is named in the log and in messages as `name`: the path, or the PostgreSQL
// database without its password.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "base/ids.h"
#include "base/metrics.h"
#include "gateways/sandbox/sandbox_ledger.h"
#include "store/sqlite/database_lock.h"
#include "store/store.h"
#include "store/store_health.h"
#include "store/stored_versions.h"
#include "tools/recur/serve_settings.h"

namespace recur {

struct ServeStore {
  std::string name;
  std::optional<DatabaseLock> lock;  // SQLite's; held while the ServeStore lives
  std::unique_ptr<Store> store;
  // What the node's caches are checked against when other nodes write the database too
  // (PostgreSQL; it is `store`); null where this process is its only writer (SQLite).
  StoredVersions* shared = nullptr;
  // The node's id where several nodes share the database (PostgreSQL: PostgresStore::node_id,
  // whose leases end at once when the node dies); empty on SQLite. Idempotency keys are claimed
  // under it, so that they end with the node as its other leases do.
  std::string node_id;
  // The sandbox gateway's records, kept apart from the store's writes: a file of their own
  // beside a SQLite file, a pool of their own on PostgreSQL.
  std::unique_ptr<SandboxLedger> sandbox_ledger;
  // PostgreSQL: the round trips the store has made to the server so far (logged when the
  // server stops, for the figures of docs/postgresql.md); empty on SQLite.
  std::function<std::int64_t()> round_trips;
  // How long the store's commits take (/metrics), and its readiness check (/readyz); both
  // belong to `store`.
  const LatencyHistogram* commit_latency = nullptr;
  StoreHealth* health = nullptr;
};

// Opens what `database` names. A database another process serves ("database_in_use"), or a
// PostgreSQL server that cannot be reached or refuses the connection ("database_unreachable",
// naming the database and host), is an error the operator must fix before starting: the
// program exits 2 on it.
Result<ServeStore> OpenServeStore(const DatabaseSettings& database, IdGenerator& ids,
                                  const Clock& clock);

}  // namespace recur
