// Where the sandbox gateway keeps what a real gateway would keep on its side: its customers,
// every charge by idempotency key (the first answer, and what a pending charge became), and
// every refund by idempotency key. The sandbox's rules (idempotency, what a token does, refund
// limits) live in sandbox_gateway.cc; a ledger only keeps records, and runs a group of reads
// and writes as one transaction, so that "look the key up, then record the charge" happens once
// per key even when several threads, or several processes sharing the records, try at once.
// Records are only added, never changed or removed (a pending charge's decision is a record of
// its own). Implementations: MemorySandboxLedger (memory_sandbox_ledger.h) and
// SqliteSandboxLedger (store/sqlite/sqlite_sandbox_ledger.h), opened by the program that makes
// the gateway. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "domain/subscriptions/charge_outcome.h"

namespace recur {

struct SandboxCustomer {
  std::string customer_id;  // "cus_sandbox_..."
  std::string payer_id;
  std::string email;
  std::string name;
};

struct SandboxCharge {
  std::string idempotency_key;
  // What the key is bound to, in the sandbox's own words: a repeated key must carry the same.
  std::string fingerprint;
  std::string charge_id;                          // "ch_sandbox_..."
  ChargeStatus status = ChargeStatus::kDeclined;  // the first answer
  std::string code;
  std::string message;
  // Kept since refunds and notices; empty (amount 0) on charges recorded before them.
  std::string customer;
  std::string payer_id;
  std::string attempt_id;
  std::string token;
  std::int64_t amount = 0;
  std::string currency;
};

// What a charge first answered pending became.
struct SandboxDecision {
  std::string idempotency_key;  // the charge's
  ChargeStatus status = ChargeStatus::kDeclined;
  std::string code;
  std::string message;
};

struct SandboxRefund {
  std::string idempotency_key;
  std::string fingerprint;
  std::string refund_id;  // "re_sandbox_..."
  std::string charge_id;
  std::int64_t amount = 0;
  std::string currency;
};

// The reads of one transaction. Each read fails only when the records cannot be read.
class SandboxRecords {
 public:
  virtual ~SandboxRecords() = default;
  virtual Result<std::optional<SandboxCustomer>> FindCustomer(std::string_view customer_id) = 0;
  virtual Result<std::optional<SandboxCharge>> FindCharge(std::string_view idempotency_key) = 0;
  virtual Result<std::optional<SandboxCharge>> FindChargeById(std::string_view charge_id) = 0;
  virtual Result<std::optional<SandboxDecision>> FindDecision(std::string_view idempotency_key) = 0;
  virtual Result<std::optional<SandboxRefund>> FindRefund(std::string_view idempotency_key) = 0;
  // The refunds of one charge, oldest first.
  virtual Result<std::vector<SandboxRefund>> RefundsOf(std::string_view charge_id) = 0;
};

// The reads and additions of one writing transaction. Adding a record whose key is already
// taken is an error (kAlreadyExists); callers look first.
class SandboxBook : public SandboxRecords {
 public:
  virtual Status AddCustomer(const SandboxCustomer& customer) = 0;
  virtual Status AddCharge(const SandboxCharge& charge) = 0;
  virtual Status AddDecision(const SandboxDecision& decision) = 0;
  virtual Status AddRefund(const SandboxRefund& refund) = 0;
};

class SandboxLedger {
 public:
  virtual ~SandboxLedger() = default;
  // Runs `work` as one transaction, serialized with every other Write on these records (by any
  // ledger on them, in any process). When `work` fails, nothing it added is kept, and its error
  // is returned. A failure to keep the records is kUnavailable.
  virtual Status Write(const std::function<Status(SandboxBook&)>& work) = 0;
  // Runs `work` on the records as last written, beside any writer.
  virtual Status Read(const std::function<Status(SandboxRecords&)>& work) = 0;
};

}  // namespace recur
