// PostgreSQL's schema migrations: each schema/postgres/NNNN_name.sql file is one
// (store/migrations.h says the rules every backend shares). ApplyPostgresMigrations holds a
// session advisory lock while it works, so that several nodes starting at once apply each
// migration once: the others wait, then find it recorded. Each migration runs in its own
// transaction with its record in schema_migrations (version, name, SHA-256 of its text,
// applied_at). The lock is released when the connection's session ends or the run returns.
#pragma once

#include <span>

#include "base/clock.h"
#include "base/error.h"
#include "store/migrations.h"
#include "store/postgres/pg_connection.h"

namespace recur {

// The migrations of schema/postgres/, in version order.
std::span<const Migration> EmbeddedPostgresMigrations();

// Returns how many migrations were applied now.
Result<int> ApplyPostgresMigrations(PgConnection& connection, std::span<const Migration> migrations,
                                    Instant now);

// The embedded migrations applied on a connection of its own, opened with `settings` and
// closed before returning (so the lock goes with it, whatever happens), and without the
// statement timeout: a migration, or the wait for another node's, may be long.
Status ApplyEmbeddedPostgresMigrations(const PgConnection::Settings& settings, Instant now);

}  // namespace recur
