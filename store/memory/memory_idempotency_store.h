// An IdempotencyStore in memory, keeping the contract of idempotency_store.h (the contract tests
// run on it). Nothing is durable, so a crash forgets keys and changes alike; the record of a
// keyed change is written by a MemoryAccountStore given this store
// (MemoryAccountStoreOptions::idempotency_keys), under its own lock as it applies the change.
// One server at a time, so it keeps no lease: another instance's claim is taken over at once.
// Thread-safe: one lock over every key.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "store/idempotency_store.h"

namespace recur {

class MemoryIdempotencyStore final : public IdempotencyStore {
 public:
  Result<IdempotencyClaim> ClaimIdempotencyKey(const std::string& key,
                                               const std::string& request_hash,
                                               const std::string& instance_id, Instant now,
                                               std::chrono::milliseconds retention,
                                               std::chrono::milliseconds lease) override;
  Status RenewIdempotencyClaims(const std::vector<std::string>& keys,
                                const std::string& instance_id,
                                std::chrono::milliseconds lease) override;
  Status CompleteIdempotencyKey(const std::string& key, const std::string& instance_id, int status,
                                const std::string& body) override;
  Status ReleaseIdempotencyKey(const std::string& key, const std::string& instance_id) override;
  Result<int> PurgeIdempotencyKeys(Instant claimed_before, int limit) override;

  // Notes that `key`'s request made `made` (the first thing only; an answered key is left
  // alone). Called by the store that applies the change, as it applies it.
  void RecordChange(const std::string& key, const std::string& made);

 private:
  struct Entry {
    std::string request_hash;
    Instant created_at;
    std::optional<std::string> claimed_by;  // none: claimed by no one
    std::optional<std::string> made;
    std::optional<int> status;  // set once answered
    std::string body;
  };

  std::mutex mutex_;
  std::map<std::string, Entry> keys_;
};

}  // namespace recur
