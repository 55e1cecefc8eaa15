// What a node that shares its database with other nodes reads to tell whether what it keeps in
// memory is still what the database holds: one small indexed read each, far cheaper than
// reading the thing itself. A node alone on its database (SQLite) has no use for it: every
// change goes through it, so its memory is exact. Implementations: PostgresStore.
// Implementations are safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"

namespace recur {

class StoredVersions {
 public:
  virtual ~StoredVersions() = default;

  // The payer's version as stored now (every stored transition bumps it, account_store.h);
  // nullopt when there is no such payer.
  virtual Result<std::optional<std::int64_t>> PayerVersion(const std::string& payer_id) = 0;

  // A number that every catalog sync that changed the stored catalog moves on, whichever node
  // made it; unchanged otherwise.
  virtual Result<std::int64_t> CatalogRevision() = 0;
};

}  // namespace recur
