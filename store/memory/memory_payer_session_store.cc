#include "store/memory/memory_payer_session_store.h"

#include <iterator>

namespace recur {

Status MemoryPayerSessionStore::CreatePayerSession(const PayerSession& session, Instant now) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& entry) {
    return entry.second.payer_id == session.payer_id && entry.second.expires_at <= now;
  });
  sessions_.insert_or_assign(session.token_hash, session);
  return Ok();
}

Result<std::optional<PayerSession>> MemoryPayerSessionStore::FindPayerSession(
    const std::string& token_hash) {
  std::lock_guard lock(mutex_);
  auto found = sessions_.find(token_hash);
  if (found == sessions_.end()) return std::optional<PayerSession>();
  return std::optional<PayerSession>(found->second);
}

Result<int> MemoryPayerSessionStore::RevokePayerSessions(const std::string& payer_id) {
  std::lock_guard lock(mutex_);
  return static_cast<int>(std::erase_if(
      sessions_, [&](const auto& entry) { return entry.second.payer_id == payer_id; }));
}

}  // namespace recur
