// The built-in sandbox gateway for tests, the simulator and local development. It understands
// Stripe's test tokens (pm_card_visa, pm_card_chargeDeclined, ...; see sandbox_gateway.cc) and
// moves no money. Like a real gateway it is an external system: it keeps every charge outcome
// by idempotency key in its own table, sandbox_charges, in a SQLite file of its own (WAL,
// synchronous=FULL), outside the project's schema migrations. So a retried key replays the first
// outcome, also after a restart, and reusing a key for a different amount, currency or token is
// refused with "idempotency_key_reused", as Stripe does. Open(":memory:") keeps it in memory.
// Thread-safe: charges are written through SqliteConnections, which commits the charges made at
// the same time together (one fsync for all), and a charge's look-up and insert run in one
// IMMEDIATE transaction, so even two processes sharing the file charge a key only once.
// The file must not be the store's: two writers on one file wait on each other's locks.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/ids.h"
#include "gateways/payment_gateway.h"
#include "store/sqlite/sqlite_connections.h"

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
  SandboxGateway(std::unique_ptr<SqliteConnections> connections, IdGenerator* ids);
  std::string NewChargeId();

  std::unique_ptr<SqliteConnections> connections_;
  IdGenerator* ids_;  // none: random ids
};

}  // namespace recur
