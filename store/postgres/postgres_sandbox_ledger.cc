#include "store/postgres/postgres_sandbox_ledger.h"

#include "store/postgres/postgres_migration.h"

namespace recur {
namespace {

// Any number of its own: Writes of the sandbox take turns on it.
constexpr const char* kTakeTurns = "SELECT pg_advisory_xact_lock(7315540241466118)";

constexpr const char* kSelectCharge =
    "SELECT idempotency_key, request_fingerprint, status, charge_id, decline_code, "
    "decline_message, customer, payer_id, attempt_id, token, amount, currency "
    "FROM sandbox_charges ";

constexpr const char* kSelectRefund =
    "SELECT idempotency_key, request_fingerprint, refund_id, charge_id, amount, currency "
    "FROM sandbox_refunds ";

ChargeStatus StatusOf(const std::string& name) {
  if (auto status = ParseChargeStatus(name)) return *status;
  throw PgFailure({ErrorKind::kInternal, "sandbox_corrupt",
                   "the sandbox's records hold an unknown charge status \"" + name + "\""});
}

SandboxCharge ReadCharge(const PgResult& rows, int row) {
  return {rows.Text(row, 0), rows.Text(row, 1), rows.Text(row, 3),   StatusOf(rows.Text(row, 2)),
          rows.Text(row, 4), rows.Text(row, 5), rows.Text(row, 6),   rows.Text(row, 7),
          rows.Text(row, 8), rows.Text(row, 9), rows.Int64(row, 10), rows.Text(row, 11)};
}

SandboxRefund ReadRefund(const PgResult& rows, int row) {
  return {rows.Text(row, 0), rows.Text(row, 1),  rows.Text(row, 2),
          rows.Text(row, 3), rows.Int64(row, 4), rows.Text(row, 5)};
}

// The records as one connection sees them, inside the transaction it is in, if any. A failed
// statement throws (Required), and the pool's Read or Write makes it the call's error.
class PostgresBook final : public SandboxBook {
 public:
  explicit PostgresBook(PgConnection& connection) : connection_(connection) {}

  Result<std::optional<SandboxCustomer>> FindCustomer(std::string_view customer_id) override {
    const PgResult rows = Run(
        "SELECT customer_id, payer_id, email, name FROM sandbox_customers WHERE customer_id = $1",
        PgParams::Of(customer_id));
    if (rows.rows() == 0) return std::nullopt;
    return SandboxCustomer{rows.Text(0, 0), rows.Text(0, 1), rows.Text(0, 2), rows.Text(0, 3)};
  }

  Result<std::optional<SandboxCharge>> FindCharge(std::string_view key) override {
    return FindChargeWhere("idempotency_key = $1", key);
  }
  Result<std::optional<SandboxCharge>> FindChargeById(std::string_view charge_id) override {
    return FindChargeWhere("charge_id = $1", charge_id);
  }

  Result<std::optional<SandboxDecision>> FindDecision(std::string_view key) override {
    const PgResult rows =
        Run("SELECT status, code, message FROM sandbox_charge_decisions WHERE idempotency_key = $1",
            PgParams::Of(key));
    if (rows.rows() == 0) return std::nullopt;
    return SandboxDecision{std::string(key), StatusOf(rows.Text(0, 0)), rows.Text(0, 1),
                           rows.Text(0, 2)};
  }

  Result<std::optional<SandboxRefund>> FindRefund(std::string_view key) override {
    const PgResult rows =
        Run(std::string(kSelectRefund) + "WHERE idempotency_key = $1", PgParams::Of(key));
    if (rows.rows() == 0) return std::nullopt;
    return ReadRefund(rows, 0);
  }

  Result<std::vector<SandboxRefund>> RefundsOf(std::string_view charge_id) override {
    const PgResult rows = Run(std::string(kSelectRefund) + "WHERE charge_id = $1 ORDER BY seq",
                              PgParams::Of(charge_id));
    std::vector<SandboxRefund> refunds;
    for (int row = 0; row < rows.rows(); ++row) refunds.push_back(ReadRefund(rows, row));
    return refunds;
  }

  Status AddCustomer(const SandboxCustomer& customer) override {
    Run("INSERT INTO sandbox_customers (customer_id, payer_id, email, name) "
        "VALUES ($1, $2, $3, $4)",
        PgParams::Of(customer.customer_id, customer.payer_id, customer.email, customer.name));
    return Ok();
  }

  Status AddCharge(const SandboxCharge& charge) override {
    Run("INSERT INTO sandbox_charges (idempotency_key, request_fingerprint, status, charge_id, "
        "decline_code, decline_message, customer, payer_id, attempt_id, token, amount, "
        "currency) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        PgParams::Of(charge.idempotency_key, charge.fingerprint, ChargeStatusName(charge.status),
                     charge.charge_id, charge.code, charge.message, charge.customer,
                     charge.payer_id, charge.attempt_id, charge.token, charge.amount,
                     charge.currency));
    return Ok();
  }

  Status AddDecision(const SandboxDecision& decision) override {
    Run("INSERT INTO sandbox_charge_decisions (idempotency_key, status, code, message) "
        "VALUES ($1, $2, $3, $4)",
        PgParams::Of(decision.idempotency_key, ChargeStatusName(decision.status), decision.code,
                     decision.message));
    return Ok();
  }

  Status AddRefund(const SandboxRefund& refund) override {
    Run("INSERT INTO sandbox_refunds (idempotency_key, request_fingerprint, refund_id, "
        "charge_id, amount, currency) VALUES ($1, $2, $3, $4, $5, $6)",
        PgParams::Of(refund.idempotency_key, refund.fingerprint, refund.refund_id, refund.charge_id,
                     refund.amount, refund.currency));
    return Ok();
  }

 private:
  PgResult Run(const std::string& sql, const PgParams& params) {
    return Required(connection_.Exec({"keeping the sandbox's records"}, sql, params));
  }

  Result<std::optional<SandboxCharge>> FindChargeWhere(const char* condition,
                                                       std::string_view value) {
    const PgResult rows =
        Run(std::string(kSelectCharge) + "WHERE " + condition, PgParams::Of(value));
    if (rows.rows() == 0) return std::nullopt;
    return ReadCharge(rows, 0);
  }

  PgConnection& connection_;
};

}  // namespace

Result<std::unique_ptr<PostgresSandboxLedger>> PostgresSandboxLedger::Open(
    const PgPool::Settings& settings, Instant now) {
  if (Status migrated = ApplyEmbeddedPostgresMigrations(settings.connection, now); !migrated) {
    return std::unexpected(migrated.error());
  }
  auto pool = PgPool::Open(settings);
  if (!pool) return std::unexpected(pool.error());
  return std::unique_ptr<PostgresSandboxLedger>(new PostgresSandboxLedger(std::move(*pool)));
}

Status PostgresSandboxLedger::Write(const std::function<Status(SandboxBook&)>& work) {
  return pool_->Write({"writing the sandbox's records"}, [&](PgConnection& connection) -> Status {
    Required(connection.Exec({"waiting for the sandbox's records"}, kTakeTurns));
    PostgresBook book(connection);
    return work(book);
  });
}

Status PostgresSandboxLedger::Read(const std::function<Status(SandboxRecords&)>& work) {
  return pool_->Read({"reading the sandbox's records"}, [&](PgConnection& connection) -> Status {
    PostgresBook book(connection);
    return work(book);
  });
}

}  // namespace recur
