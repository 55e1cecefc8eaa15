// Forward-only schema migrations, the rules every SQL backend shares (each applies them in its
// own dialect: store/sqlite/migration.h, store/postgres/postgres_migration.h). A migration is one
// schema/BACKEND/NNNN_name.sql file, embedded in the binary at build time
// (cmake/embed_migrations.cmake), recorded when applied with the SHA-256 of its text. A database
// recording a version this binary does not know, or a migration whose text differs from the one
// applied, is refused whole before anything is applied: either means this binary does not know
// the schema it would use. Pure.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace recur {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// A migration as a database records it.
struct AppliedMigration {
  int version = 0;
  std::string checksum;
};

// What a database records of a migration's text: its SHA-256, in hex.
std::string MigrationChecksum(const Migration& migration);

// The migrations of `known` (in version order) that `applied` lacks, in order; "schema_too_new"
// or "schema_changed" (kFailedPrecondition) as above.
Result<std::vector<Migration>> PendingMigrations(std::span<const Migration> known,
                                                 std::span<const AppliedMigration> applied);

}  // namespace recur
