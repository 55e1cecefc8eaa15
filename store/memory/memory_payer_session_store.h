// A PayerSessionStore in memory, keeping the contract of payer_session_store.h (the contract
// tests run on it). Nothing is durable. Thread-safe: one lock over every session.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "store/payer_session_store.h"

namespace recur {

class MemoryPayerSessionStore final : public PayerSessionStore {
 public:
  Status CreatePayerSession(const PayerSession& session, Instant now) override;
  Result<std::optional<PayerSession>> FindPayerSession(const std::string& token_hash) override;
  Result<int> RevokePayerSessions(const std::string& payer_id) override;

 private:
  std::mutex mutex_;
  std::map<std::string, PayerSession> sessions_;  // by token hash
};

}  // namespace recur
