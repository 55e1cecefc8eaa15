#include "tools/recur/serve_store.h"

#include "base/log.h"
#include "store/postgres/pg_conninfo.h"
#include "store/postgres/postgres_sandbox_ledger.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/private_files.h"
#include "store/sqlite/sqlite_sandbox_ledger.h"
#include "store/sqlite/sqlite_store.h"

namespace recur {
namespace {

// The sandbox's ledger needs few connections: a charge is a handful of short statements.
constexpr int kSandboxLedgerConnections = 2;

// The files of the database at `db_path` (and their companions) made the owner's alone; each
// one that was open to other users is fixed with a warning, since it holds secrets.
Status MakeFilesPrivate(const std::string& db_path, const Clock& clock) {
  auto changes = MakeDatabaseFilesPrivate(db_path);
  if (!changes) return std::unexpected(changes.error());
  for (const ModeChange& change : *changes) {
    Log(clock.Now(), "warn", "database_file_made_private",
        {{"file", change.path},
         {"old_mode", ModeText(change.old_mode)},
         {"mode", ModeText(change.new_mode)},
         {"why",
          "it holds secrets (the signing key, webhook secrets); other users may have "
          "read it before"}});
  }
  return {};
}

Result<ServeStore> OpenSqlite(const std::string& path, IdGenerator& ids, const Clock& clock) {
  ServeStore opened;
  opened.name = path;
  // Held until the process ends, however it ends: the kernel releases it even on SIGKILL.
  auto lock = DatabaseLock::Acquire(path);
  if (!lock) return std::unexpected(lock.error());
  opened.lock.emplace(std::move(*lock));
  const std::string sandbox_path = path + ".sandbox";
  for (const std::string& file : {path, sandbox_path}) {
    if (auto made = MakeFilesPrivate(file, clock); !made) return std::unexpected(made.error());
  }
  auto store = SqliteStore::Open(path, ids, clock.Now());
  if (!store) return std::unexpected(store.error());
  opened.commit_latency = &(*store)->commit_latency();
  opened.health = store->get();
  opened.store = std::move(*store);
  // The sandbox gateway keeps its charges on its side, as an external gateway would: in a file
  // of its own beside the database, whose writes never wait on the store's.
  auto ledger = SqliteSandboxLedger::Open(sandbox_path);
  if (!ledger) return std::unexpected(ledger.error());
  opened.sandbox_ledger = std::move(*ledger);
  return opened;
}

Result<ServeStore> OpenPostgres(const DatabaseSettings& database, IdGenerator& ids,
                                const Clock& clock) {
  ServeStore opened;
  opened.name = DescribeConninfo(database.db);
  PgPool::Settings settings;
  settings.connection.conninfo = database.db;
  settings.connection.statement_timeout = database.statement_timeout;
  settings.max_connections = database.pool_size;
  // A first connection alone, so that a wrong address, database or password is told as such,
  // not as the failure of whatever step happened to connect first.
  if (auto reached = PgConnection::Open(settings.connection); !reached) {
    return MakeError(ErrorKind::kUnavailable, "database_unreachable",
                     "cannot open the database: " + reached.error().message, "db");
  }
  PostgresStoreOptions options;
  options.due_work_lease = database.lease;
  options.test_clock_advance_lease = database.idempotency_claim_lease();
  auto store = PostgresStore::Open(settings, ids, clock.Now(), options);
  if (!store) return std::unexpected(store.error());
  opened.shared = store->get();
  opened.node_id = (*store)->node_id();
  opened.round_trips = [postgres = store->get()] { return postgres->round_trips(); };
  opened.commit_latency = &(*store)->commit_latency();
  opened.health = store->get();
  opened.store = std::move(*store);
  settings.max_connections = kSandboxLedgerConnections;
  auto ledger = PostgresSandboxLedger::Open(settings, clock.Now());
  if (!ledger) return std::unexpected(ledger.error());
  opened.sandbox_ledger = std::move(*ledger);
  return opened;
}

}  // namespace

Result<ServeStore> OpenServeStore(const DatabaseSettings& database, IdGenerator& ids,
                                  const Clock& clock) {
  if (database.postgres) return OpenPostgres(database, ids, clock);
  return OpenSqlite(database.db, ids, clock);
}

}  // namespace recur
