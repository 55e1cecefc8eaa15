// The sandbox gateway's ledger (gateways/sandbox/sandbox_ledger.h) on PostgreSQL: the records a
// SQLite installation keeps in its `.sandbox` file, in tables of the store's database
// (schema/postgres/0006_sandbox_ledger.sql). It has a small pool of its own (pg_pool.h), so a
// charge never waits for a connection the store's writes hold, as the SQLite ledger's file
// never waits on the store's. Every Write runs in one transaction under a transaction-level
// advisory lock, so Writes take turns across connections, processes and nodes: a key is
// recorded once. A taken key is "conflict" (kAlreadyExists), any other failure kUnavailable.
// Open applies the store's pending migrations first (postgres_migration.h), so the ledger may
// be opened before the store or without it. Thread-safe.
#pragma once

#include <memory>

#include "base/clock.h"
#include "base/error.h"
#include "gateways/sandbox/sandbox_ledger.h"
#include "store/postgres/pg_pool.h"

namespace recur {

class PostgresSandboxLedger final : public SandboxLedger {
 public:
  // Connects with `settings` (its max_connections bounds the ledger's own pool).
  static Result<std::unique_ptr<PostgresSandboxLedger>> Open(const PgPool::Settings& settings,
                                                             Instant now);

  Status Write(const std::function<Status(SandboxBook&)>& work) override;
  Status Read(const std::function<Status(SandboxRecords&)>& work) override;

 private:
  explicit PostgresSandboxLedger(std::unique_ptr<PgPool> pool) : pool_(std::move(pool)) {}

  std::unique_ptr<PgPool> pool_;
};

}  // namespace recur
