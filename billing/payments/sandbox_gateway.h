// The built-in sandbox gateway for tests, the simulator and local development. It understands
// Stripe's test tokens (pm_card_visa, pm_card_chargeDeclined, ...; see sandbox_gateway.cc) and
// moves no money. Like a real gateway it is an external system: it keeps every charge outcome
// by idempotency key in its own table, sandbox_charges, on its own SQLite connection (WAL,
// synchronous=FULL), outside the project's schema migrations. So a retried key replays the first
// outcome, also after a restart, and reusing a key for a different amount, currency or token is
// refused with "idempotency_key_reused", as Stripe does. Open(":memory:") keeps it in memory.
// Thread-safe: one mutex guards the connection, and a charge's look-up and insert run in one
// IMMEDIATE transaction, so even two processes sharing the file charge a key only once.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <SQLiteCpp/Database.h>

#include "base/error.h"
#include "base/ids.h"
#include "billing/payments/payment_gateway.h"

namespace recur {

class SandboxGateway final : public PaymentGateway {
 public:
  // Opens (creating if needed) the sandbox's table in the SQLite file at `sqlite_path`. Charge
  // ids ("ch_sandbox_...") come from `ids` when given (the simulator's seeded ids), else they
  // are random.
  static Result<std::unique_ptr<SandboxGateway>> Open(const std::string& sqlite_path,
                                                      IdGenerator* ids = nullptr);

  Result<CardDetails> Attach(std::string_view token) override;
  Result<ChargeOutcome> Charge(const ChargeRequest& request) override;

 private:
  SandboxGateway(std::unique_ptr<SQLite::Database> db, IdGenerator* ids);
  std::string NewChargeId();

  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
  IdGenerator* ids_;  // none: random ids
};

}  // namespace recur
