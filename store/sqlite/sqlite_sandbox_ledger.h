// The sandbox gateway's ledger (gateways/sandbox/sandbox_ledger.h) in a SQLite file of its own
// (WAL, synchronous=FULL), outside the store's schema migrations: the sandbox stands for an
// external gateway, and its records are its own. Writes go through SqliteConnections, which
// commits the writes made at the same time together (one fsync for all); every Write runs
// inside the writer's IMMEDIATE transaction, so even two processes sharing the file record a
// key once. Reads run on reader connections beside the writer.
// Tables, made when missing: sandbox_charges (each key's first answer, as the sandbox has kept
// it from the start), sandbox_charge_requests (what each charge was for; charges recorded
// before it have no row), sandbox_charge_decisions, sandbox_refunds and sandbox_customers.
// The file must not be the store's: two writers on one file wait on each other's locks.
// Open(":memory:") keeps the records in memory, reads included. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "base/error.h"
#include "gateways/sandbox/sandbox_ledger.h"
#include "store/sqlite/sqlite_connections.h"

namespace recur {

class SqliteSandboxLedger final : public SandboxLedger {
 public:
  // Opens (creating if needed) the sandbox's tables in the SQLite file at `path`. A file that
  // cannot be opened is kUnavailable "storage_error".
  static Result<std::unique_ptr<SqliteSandboxLedger>> Open(const std::string& path);

  Status Write(const std::function<Status(SandboxBook&)>& work) override;
  Status Read(const std::function<Status(SandboxRecords&)>& work) override;

 private:
  SqliteSandboxLedger(std::unique_ptr<SqliteConnections> connections, bool in_memory);

  std::unique_ptr<SqliteConnections> connections_;
  // A ":memory:" database exists only on the writer's connection, which then serves reads too.
  const bool in_memory_;
};

}  // namespace recur
