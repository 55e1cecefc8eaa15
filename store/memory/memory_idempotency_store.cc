#include "store/memory/memory_idempotency_store.h"

namespace recur {

Result<IdempotencyClaim> MemoryIdempotencyStore::ClaimIdempotencyKey(
    const std::string& key, const std::string& request_hash, const std::string& instance_id,
    Instant now, std::chrono::milliseconds retention, std::chrono::milliseconds /*lease*/) {
  std::lock_guard lock(mutex_);
  auto found = keys_.find(key);
  if (found == keys_.end() || now - found->second.created_at >= retention) {
    keys_.insert_or_assign(key,
                           Entry{request_hash, now, instance_id, std::nullopt, std::nullopt, ""});
    return IdempotencyClaim{IdempotencyClaim::Outcome::kClaimed};
  }
  Entry& entry = found->second;
  if (entry.request_hash != request_hash) {
    return IdempotencyClaim{IdempotencyClaim::Outcome::kMismatch};
  }
  if (entry.status) {
    return IdempotencyClaim{IdempotencyClaim::Outcome::kReplay, *entry.status, entry.body};
  }
  if (entry.claimed_by == instance_id) {
    return IdempotencyClaim{IdempotencyClaim::Outcome::kInProgress};
  }
  entry.claimed_by = instance_id;
  if (entry.made) return IdempotencyClaim{IdempotencyClaim::Outcome::kRecover, 0, "", *entry.made};
  return IdempotencyClaim{IdempotencyClaim::Outcome::kClaimed};
}

Status MemoryIdempotencyStore::RenewIdempotencyClaims(const std::vector<std::string>& /*keys*/,
                                                      const std::string& /*instance_id*/,
                                                      std::chrono::milliseconds /*lease*/) {
  return Ok();  // no lease to renew: one server at a time
}

Status MemoryIdempotencyStore::CompleteIdempotencyKey(const std::string& key,
                                                      const std::string& instance_id, int status,
                                                      const std::string& body) {
  std::lock_guard lock(mutex_);
  auto found = keys_.find(key);
  if (found != keys_.end() && found->second.claimed_by == instance_id && !found->second.status) {
    found->second.status = status;
    found->second.body = body;
  }
  return Ok();
}

Status MemoryIdempotencyStore::ReleaseIdempotencyKey(const std::string& key,
                                                     const std::string& instance_id) {
  std::lock_guard lock(mutex_);
  auto found = keys_.find(key);
  if (found == keys_.end() || found->second.claimed_by != instance_id) return Ok();
  if (!found->second.made) {
    keys_.erase(found);
  } else {
    found->second.claimed_by.reset();
  }
  return Ok();
}

Result<int> MemoryIdempotencyStore::PurgeIdempotencyKeys(Instant claimed_before, int limit) {
  std::lock_guard lock(mutex_);
  int deleted = 0;
  for (auto it = keys_.begin(); it != keys_.end() && deleted < limit;) {
    if (it->second.created_at < claimed_before) {
      it = keys_.erase(it);
      ++deleted;
    } else {
      ++it;
    }
  }
  return deleted;
}

void MemoryIdempotencyStore::RecordChange(const std::string& key, const std::string& made) {
  std::lock_guard lock(mutex_);
  auto found = keys_.find(key);
  if (found == keys_.end() || found->second.status || found->second.made) return;
  found->second.made = made;
}

}  // namespace recur
