#include "store/sqlite/sqlite_sandbox_ledger.h"

#include <SQLiteCpp/Statement.h>

#include "store/sqlite/sqlite_values.h"

namespace recur {
namespace {

constexpr const char* kSchema[] = {
    // Kept as the sandbox has always kept it: older files hold only this table.
    "CREATE TABLE IF NOT EXISTS sandbox_charges ("
    "idempotency_key TEXT PRIMARY KEY, request_fingerprint TEXT, status TEXT, "
    "charge_id TEXT, decline_code TEXT, decline_message TEXT)",
    "CREATE INDEX IF NOT EXISTS sandbox_charges_by_charge_id ON sandbox_charges (charge_id)",
    "CREATE TABLE IF NOT EXISTS sandbox_charge_requests ("
    "idempotency_key TEXT PRIMARY KEY, customer TEXT, payer_id TEXT, attempt_id TEXT, "
    "token TEXT, amount INTEGER, currency TEXT)",
    "CREATE TABLE IF NOT EXISTS sandbox_charge_decisions ("
    "idempotency_key TEXT PRIMARY KEY, status TEXT, code TEXT, message TEXT)",
    "CREATE TABLE IF NOT EXISTS sandbox_refunds ("
    "idempotency_key TEXT PRIMARY KEY, request_fingerprint TEXT, refund_id TEXT UNIQUE, "
    "charge_id TEXT, amount INTEGER, currency TEXT)",
    "CREATE INDEX IF NOT EXISTS sandbox_refunds_by_charge_id ON sandbox_refunds (charge_id)",
    "CREATE TABLE IF NOT EXISTS sandbox_customers ("
    "customer_id TEXT PRIMARY KEY, payer_id TEXT UNIQUE, email TEXT, name TEXT)",
};

constexpr const char* kSelectCharge =
    "SELECT c.idempotency_key, c.request_fingerprint, c.status, c.charge_id, c.decline_code, "
    "c.decline_message, r.customer, r.payer_id, r.attempt_id, r.token, r.amount, r.currency "
    "FROM sandbox_charges c LEFT JOIN sandbox_charge_requests r USING (idempotency_key) ";

constexpr const char* kSelectRefund =
    "SELECT idempotency_key, request_fingerprint, refund_id, charge_id, amount, currency "
    "FROM sandbox_refunds ";

Result<ChargeStatus> StatusOf(const SQLite::Column& column) {
  const std::string name = column.getString();
  if (auto status = ParseChargeStatus(name)) return *status;
  return MakeError(ErrorKind::kInternal, "sandbox_corrupt",
                   "the sandbox's records hold an unknown charge status \"" + name + "\"");
}

Result<SandboxCharge> ReadCharge(SQLite::Statement& row) {
  auto status = StatusOf(row.getColumn(2));
  if (!status) return std::unexpected(status.error());
  return SandboxCharge{row.getColumn(0).getString(), row.getColumn(1).getString(),
                       row.getColumn(3).getString(), *status,
                       row.getColumn(4).getString(), row.getColumn(5).getString(),
                       row.getColumn(6).getString(), row.getColumn(7).getString(),
                       row.getColumn(8).getString(), row.getColumn(9).getString(),
                       row.getColumn(10).getInt64(), row.getColumn(11).getString()};
}

SandboxRefund ReadRefund(SQLite::Statement& row) {
  return {row.getColumn(0).getString(), row.getColumn(1).getString(), row.getColumn(2).getString(),
          row.getColumn(3).getString(), row.getColumn(4).getInt64(),  row.getColumn(5).getString()};
}

// The records as one connection sees them, inside the transaction it is in. What SQLite throws
// goes on to the ledger's Read or Write, the edge that makes it an error (a taken key a
// conflict, kAlreadyExists, as the ledger's contract says).
class SqliteBook final : public SandboxBook {
 public:
  explicit SqliteBook(SQLite::Database& db) : db_(db) {}

  Result<std::optional<SandboxCustomer>> FindCustomer(std::string_view customer_id) override {
    StatementLease query = Prepared(db_,
                                    "SELECT customer_id, payer_id, email, name "
                                    "FROM sandbox_customers WHERE customer_id = ?",
                                    customer_id);
    if (!query->executeStep()) return std::nullopt;
    return SandboxCustomer{query->getColumn(0).getString(), query->getColumn(1).getString(),
                           query->getColumn(2).getString(), query->getColumn(3).getString()};
  }

  Result<std::optional<SandboxCharge>> FindCharge(std::string_view key) override {
    return FindChargeWhere("c.idempotency_key = ?", key);
  }
  Result<std::optional<SandboxCharge>> FindChargeById(std::string_view charge_id) override {
    return FindChargeWhere("c.charge_id = ?", charge_id);
  }

  Result<std::optional<SandboxDecision>> FindDecision(std::string_view key) override {
    StatementLease query = Prepared(db_,
                                    "SELECT status, code, message FROM sandbox_charge_decisions "
                                    "WHERE idempotency_key = ?",
                                    key);
    if (!query->executeStep()) return std::nullopt;
    auto status = StatusOf(query->getColumn(0));
    if (!status) return std::unexpected(status.error());
    return SandboxDecision{std::string(key), *status, query->getColumn(1).getString(),
                           query->getColumn(2).getString()};
  }

  Result<std::optional<SandboxRefund>> FindRefund(std::string_view key) override {
    StatementLease query =
        Prepared(db_, std::string(kSelectRefund) + "WHERE idempotency_key = ?", key);
    if (!query->executeStep()) return std::nullopt;
    return ReadRefund(*query);
  }

  Result<std::vector<SandboxRefund>> RefundsOf(std::string_view charge_id) override {
    StatementLease query =
        Prepared(db_, std::string(kSelectRefund) + "WHERE charge_id = ? ORDER BY rowid", charge_id);
    std::vector<SandboxRefund> refunds;
    while (query->executeStep()) refunds.push_back(ReadRefund(*query));
    return refunds;
  }

  Status AddCustomer(const SandboxCustomer& customer) override {
    Prepared(db_,
             "INSERT INTO sandbox_customers (customer_id, payer_id, email, name) "
             "VALUES (?, ?, ?, ?)",
             customer.customer_id, customer.payer_id, customer.email, customer.name)
        ->exec();
    return Ok();
  }

  Status AddCharge(const SandboxCharge& charge) override {
    Prepared(db_,
             "INSERT INTO sandbox_charges (idempotency_key, request_fingerprint, status, "
             "charge_id, decline_code, decline_message) VALUES (?, ?, ?, ?, ?, ?)",
             charge.idempotency_key, charge.fingerprint, ChargeStatusName(charge.status),
             charge.charge_id, charge.code, charge.message)
        ->exec();
    Prepared(db_,
             "INSERT INTO sandbox_charge_requests (idempotency_key, customer, payer_id, "
             "attempt_id, token, amount, currency) VALUES (?, ?, ?, ?, ?, ?, ?)",
             charge.idempotency_key, charge.customer, charge.payer_id, charge.attempt_id,
             charge.token, charge.amount, charge.currency)
        ->exec();
    return Ok();
  }

  Status AddDecision(const SandboxDecision& decision) override {
    Prepared(db_,
             "INSERT INTO sandbox_charge_decisions (idempotency_key, status, code, message) "
             "VALUES (?, ?, ?, ?)",
             decision.idempotency_key, ChargeStatusName(decision.status), decision.code,
             decision.message)
        ->exec();
    return Ok();
  }

  Status AddRefund(const SandboxRefund& refund) override {
    Prepared(db_,
             "INSERT INTO sandbox_refunds (idempotency_key, request_fingerprint, refund_id, "
             "charge_id, amount, currency) VALUES (?, ?, ?, ?, ?, ?)",
             refund.idempotency_key, refund.fingerprint, refund.refund_id, refund.charge_id,
             refund.amount, refund.currency)
        ->exec();
    return Ok();
  }

 private:
  Result<std::optional<SandboxCharge>> FindChargeWhere(const char* condition,
                                                       std::string_view value) {
    StatementLease query = Prepared(db_, std::string(kSelectCharge) + "WHERE " + condition, value);
    if (!query->executeStep()) return std::nullopt;
    auto charge = ReadCharge(*query);
    if (!charge) return std::unexpected(charge.error());
    return std::move(*charge);
  }

  SQLite::Database& db_;
};

}  // namespace

SqliteSandboxLedger::SqliteSandboxLedger(std::unique_ptr<SqliteConnections> connections,
                                         bool in_memory)
    : connections_(std::move(connections)), in_memory_(in_memory) {}

Result<std::unique_ptr<SqliteSandboxLedger>> SqliteSandboxLedger::Open(const std::string& path) {
  auto connections = SqliteConnections::Open(path, [](SQLite::Database& db) -> Status {
    for (const char* statement : kSchema) db.exec(statement);
    return Ok();
  });
  if (!connections) {
    Error error = connections.error();
    error.message = "the sandbox gateway's database: " + error.message;
    return std::unexpected(error);
  }
  return std::unique_ptr<SqliteSandboxLedger>(
      new SqliteSandboxLedger(std::move(*connections), path == ":memory:"));
}

Status SqliteSandboxLedger::Write(const std::function<Status(SandboxBook&)>& work) {
  return connections_->Write({"writing the sandbox's records"},
                             [&](SQLite::Database& db) -> Status {
                               SqliteBook book(db);
                               return work(book);
                             });
}

Status SqliteSandboxLedger::Read(const std::function<Status(SandboxRecords&)>& work) {
  if (in_memory_) return Write([&](SandboxBook& book) { return work(book); });
  return connections_->Read({"reading the sandbox's records"}, [&](SQLite::Database& db) -> Status {
    SqliteBook book(db);
    return work(book);
  });
}

}  // namespace recur
