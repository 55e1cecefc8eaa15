// A SandboxLedger in memory, for tests and the simulator: the records live as long as the
// ledger. A Write holds the ledger's lock for its whole run and keeps what it added only when it
// succeeds. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "gateways/sandbox/sandbox_ledger.h"

namespace recur {

class MemorySandboxLedger final : public SandboxLedger {
 public:
  Status Write(const std::function<Status(SandboxBook&)>& work) override;
  Status Read(const std::function<Status(SandboxRecords&)>& work) override;

  // Every kind of record by its key; refunds also in the order they were added.
  struct Records {
    std::map<std::string, SandboxCustomer, std::less<>> customers;  // by customer id
    std::map<std::string, SandboxCharge, std::less<>> charges;      // by idempotency key
    std::map<std::string, std::string, std::less<>> charge_keys;    // charge id -> key
    std::map<std::string, SandboxDecision, std::less<>> decisions;  // by the charge's key
    std::map<std::string, SandboxRefund, std::less<>> refunds;      // by idempotency key
    std::vector<std::string> refund_order;                          // keys, oldest first
  };

 private:
  std::mutex mutex_;
  Records records_;
};

}  // namespace recur
