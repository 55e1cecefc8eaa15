#include "store/migrations.h"

#include <algorithm>
#include <map>

#include "base/sha256.h"

namespace recur {

std::string MigrationChecksum(const Migration& migration) { return Sha256Hex(migration.sql); }

Result<std::vector<Migration>> PendingMigrations(std::span<const Migration> known,
                                                 std::span<const AppliedMigration> applied) {
  int newest_known = 0;
  for (const Migration& migration : known) newest_known = std::max(newest_known, migration.version);
  std::map<int, std::string> checksums;
  int newest_applied = 0;
  for (const AppliedMigration& migration : applied) {
    checksums[migration.version] = migration.checksum;
    newest_applied = std::max(newest_applied, migration.version);
  }
  if (newest_applied > newest_known) {
    return MakeError(ErrorKind::kFailedPrecondition, "schema_too_new",
                     "the database has schema version " + std::to_string(newest_applied) +
                         " but this recur knows versions up to " + std::to_string(newest_known) +
                         "; run a newer recur");
  }
  std::vector<Migration> pending;
  for (const Migration& migration : known) {
    const auto recorded = checksums.find(migration.version);
    if (recorded == checksums.end()) {
      pending.push_back(migration);
    } else if (recorded->second != MigrationChecksum(migration)) {
      return MakeError(ErrorKind::kFailedPrecondition, "schema_changed",
                       "migration " + std::string(migration.name) +
                           " differs from the one applied to this database; applied "
                           "migrations are never edited, add a new one instead");
    }
  }
  return pending;
}

}  // namespace recur
