// A ConsoleSessionStore in memory, keeping the contract of console_session_store.h (the contract
// tests run on it). Nothing is durable. Thread-safe: one lock over every session.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "store/console_session_store.h"

namespace recur {

class MemoryConsoleSessionStore final : public ConsoleSessionStore {
 public:
  Status CreateConsoleSession(const ConsoleSession& session, Instant now) override;
  Result<std::optional<ConsoleSession>> FindConsoleSession(const std::string& token_hash) override;
  Result<bool> EndConsoleSession(const std::string& token_hash) override;

 private:
  std::mutex mutex_;
  std::map<std::string, ConsoleSession> sessions_;  // by token hash
};

}  // namespace recur
