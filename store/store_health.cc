#include "store/store_health.h"

#include <string>

namespace recur {

Status CompareSchemaVersions(int recorded, int known) {
  if (recorded < known) {
    return MakeError(ErrorKind::kFailedPrecondition, "migrations_pending",
                     "the database records migrations up to " + std::to_string(recorded) +
                         " and this binary needs " + std::to_string(known) +
                         "; restart it to apply them");
  }
  if (recorded > known) {
    return MakeError(ErrorKind::kFailedPrecondition, "schema_too_new",
                     "the database records migration " + std::to_string(recorded) +
                         ", newer than this binary's last (" + std::to_string(known) +
                         "): a newer version of recur has migrated it; upgrade this node");
  }
  return Ok();
}

}  // namespace recur
