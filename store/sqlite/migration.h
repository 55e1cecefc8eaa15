// SQLite's schema migrations: each schema/sqlite/NNNN_name.sql file is one (store/migrations.h
// says the rules every backend shares). ApplyMigrations runs, in version order, each migration
// the database has not recorded, each in its own transaction together with its record in
// schema_migrations (version, name, SHA-256 of its text, applied_at).
#pragma once

#include <span>

#include <SQLiteCpp/Database.h>

#include "base/clock.h"
#include "base/error.h"
#include "store/migrations.h"

namespace recur {

// The migrations of schema/sqlite/, in version order.
std::span<const Migration> EmbeddedMigrations();

// Returns how many migrations were applied now.
Result<int> ApplyMigrations(SQLite::Database& db, std::span<const Migration> migrations,
                            Instant now);

}  // namespace recur
