// Forward-only schema migrations. Each schema/sqlite/NNNN_name.sql file is one migration, embedded
// in the binary at build time (cmake/embed_migrations.cmake). ApplyMigrations runs, in version
// order, each migration the database has not recorded, each in its own transaction together
// with its record in schema_migrations (version, name, SHA-256 of its text, applied_at). It
// refuses a database migrated by a newer binary and one whose recorded migration text differs
// from the embedded one, since either means this binary does not know the schema it would use.
#pragma once

#include <span>
#include <string_view>

#include <SQLiteCpp/Database.h>

#include "base/clock.h"
#include "base/error.h"

namespace recur {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> EmbeddedMigrations();

// Returns how many migrations were applied now.
Result<int> ApplyMigrations(SQLite::Database& db, std::span<const Migration> migrations,
                            Instant now);

}  // namespace recur
