// What a readiness check asks of a database (GET /readyz): that it answers, that it takes a
// write now, and that it records exactly the migrations this binary knows (none pending, none
// newer, which another node of a newer version could have applied). Implemented by the SQL
// backends. CheckHealth writes through the same path as every change (SQLite's writer, a pooled
// PostgreSQL connection), so a database locked by another writer, read-only or unreachable fails
// it as it would fail a change; it changes nothing but its own row of settings. Thread-safe.
#pragma once

#include <string_view>

#include "base/error.h"

namespace recur {

// The settings row the check writes, holding nothing of use.
inline constexpr std::string_view kHealthCheckSetting = "health_check";

class StoreHealth {
 public:
  virtual ~StoreHealth() = default;
  // Ok, or the reason the database cannot serve: its error as a change would see it, or
  // "migrations_pending" / "schema_too_new" (kFailedPrecondition) naming the versions.
  virtual Status CheckHealth() = 0;
};

// The verdict on the highest migration a database records against the highest this binary
// knows; shared by the backends.
Status CompareSchemaVersions(int recorded, int known);

}  // namespace recur
