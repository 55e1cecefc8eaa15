#include "store/memory/memory_console_session_store.h"

namespace recur {

Status MemoryConsoleSessionStore::CreateConsoleSession(const ConsoleSession& session, Instant now) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expires_at <= now; });
  sessions_.insert_or_assign(session.token_hash, session);
  return Ok();
}

Result<std::optional<ConsoleSession>> MemoryConsoleSessionStore::FindConsoleSession(
    const std::string& token_hash) {
  std::lock_guard lock(mutex_);
  auto found = sessions_.find(token_hash);
  if (found == sessions_.end()) return std::optional<ConsoleSession>();
  return std::optional<ConsoleSession>(found->second);
}

Result<bool> MemoryConsoleSessionStore::EndConsoleSession(const std::string& token_hash) {
  std::lock_guard lock(mutex_);
  return sessions_.erase(token_hash) > 0;
}

}  // namespace recur
