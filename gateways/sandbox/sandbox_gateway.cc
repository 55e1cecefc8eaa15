#include "gateways/sandbox/sandbox_gateway.h"

#include <array>
#include <optional>

#include <SQLiteCpp/Statement.h>

#include "base/ids.h"
#include "store/sqlite/statement_cache.h"

namespace recur {
namespace {

constexpr int kExpMonth = 12;
constexpr int kExpYear = 2034;
constexpr std::size_t kChargeIdBodyLength = 24;
constexpr std::size_t kMaxIdempotencyKeyLength = 255;  // Stripe's limit

struct Decline {
  std::string_view code;
  std::string_view message;
};

constexpr Decline kCardDeclined{"card_declined", "Your card was declined."};
constexpr Decline kInsufficientFunds{"insufficient_funds", "Your card has insufficient funds."};

struct TestCard {
  std::string_view token;
  std::string_view brand;
  std::string_view last4;
  std::optional<Decline> attach_decline;
  std::optional<Decline> charge_decline;
};

constexpr std::array<TestCard, 6> kTestCards{{
    {"pm_card_visa", "visa", "4242", std::nullopt, std::nullopt},
    {"pm_card_mastercard", "mastercard", "4444", std::nullopt, std::nullopt},
    {"pm_card_amex", "amex", "8431", std::nullopt, std::nullopt},
    {"pm_card_chargeDeclined", "visa", "0002", kCardDeclined, kCardDeclined},
    {"pm_card_chargeDeclinedInsufficientFunds", "visa", "9995", kInsufficientFunds,
     kInsufficientFunds},
    {"pm_card_chargeCustomerFail", "visa", "0341", std::nullopt, kCardDeclined},
}};

Result<const TestCard*> FindCard(std::string_view token) {
  for (const TestCard& card : kTestCards) {
    if (card.token == token) return &card;
  }
  std::string known;
  for (const TestCard& card : kTestCards) {
    if (!known.empty()) known += ", ";
    known += card.token;
  }
  return MakeError(
      ErrorKind::kInvalidArgument, "unknown_payment_token",
      "\"" + std::string(token) + "\" is not a sandbox payment token; the sandbox knows " + known,
      "payment_method_token");
}

bool IsCurrencyShaped(std::string_view currency) {
  if (currency.size() != 3) return false;
  for (char c : currency) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

Status CheckRequest(const ChargeRequest& request) {
  if (request.amount <= 0) {
    return MakeError(
        ErrorKind::kInvalidArgument, "invalid_amount",
        "amount must be a positive number of minor units, got " + std::to_string(request.amount),
        "amount");
  }
  if (!IsCurrencyShaped(request.currency)) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_currency",
                     "\"" + request.currency + "\" is not an ISO 4217 code (three capital letters)",
                     "currency");
  }
  if (request.idempotency_key.empty() ||
      request.idempotency_key.size() > kMaxIdempotencyKeyLength) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_idempotency_key",
                     "every charge needs an idempotency key of 1 to " +
                         std::to_string(kMaxIdempotencyKeyLength) + " characters",
                     "idempotency_key");
  }
  return Ok();
}

// What a key is bound to. Unambiguous because the token is a known one and the currency is
// three capital letters, so neither holds a ';'.
std::string Fingerprint(const ChargeRequest& request) {
  return "amount=" + std::to_string(request.amount) + ";currency=" + request.currency +
         ";token=" + request.payment_method_token;
}

ChargeOutcome Decide(const TestCard& card, std::string charge_id) {
  ChargeOutcome outcome{ChargeStatus::kPaid, std::move(charge_id)};
  if (card.charge_decline) {
    outcome.status = ChargeStatus::kDeclined;
    outcome.code = card.charge_decline->code;
    outcome.message = card.charge_decline->message;
  }
  return outcome;
}

// The first outcome recorded for a key, or idempotency_key_reused when it was recorded for a
// different request.
Result<ChargeOutcome> Replay(SQLite::Statement& row, const ChargeRequest& request,
                             const std::string& fingerprint) {
  if (row.getColumn(0).getString() != fingerprint) {
    return MakeError(ErrorKind::kInvalidArgument, "idempotency_key_reused",
                     "idempotency key \"" + request.idempotency_key +
                         "\" was first used for a different request (" +
                         row.getColumn(0).getString() + "), not " + fingerprint,
                     "idempotency_key");
  }
  const auto status = ParseChargeStatus(row.getColumn(1).getString());
  if (!status) {
    return MakeError(ErrorKind::kInternal, "sandbox_corrupt",
                     "sandbox_charges holds an unknown status \"" + row.getColumn(1).getString() +
                         "\" for key \"" + request.idempotency_key + "\"");
  }
  return ChargeOutcome{*status, row.getColumn(2).getString(), row.getColumn(3).getString(),
                       row.getColumn(4).getString(),
                       /*replayed=*/true};
}

}  // namespace

SandboxGateway::SandboxGateway(std::unique_ptr<SqliteConnections> connections, IdGenerator* ids)
    : connections_(std::move(connections)), ids_(ids) {}

std::string SandboxGateway::NewChargeId() {
  if (ids_ != nullptr) return ids_->NewId("ch_sandbox");
  return "ch_sandbox_" + RandomBase62(kChargeIdBodyLength);
}

Result<std::unique_ptr<SandboxGateway>> SandboxGateway::Open(const std::string& sqlite_path,
                                                             IdGenerator* ids) {
  auto connections = SqliteConnections::Open(sqlite_path, [](SQLite::Database& db) -> Status {
    db.exec(
        "CREATE TABLE IF NOT EXISTS sandbox_charges ("
        "idempotency_key TEXT PRIMARY KEY, request_fingerprint TEXT, status TEXT, "
        "charge_id TEXT, decline_code TEXT, decline_message TEXT)");
    return Ok();
  });
  if (!connections) {
    Error error = connections.error();
    error.message = "the sandbox gateway's database: " + error.message;
    return std::unexpected(error);
  }
  return std::unique_ptr<SandboxGateway>(new SandboxGateway(std::move(*connections), ids));
}

Result<CardDetails> SandboxGateway::Attach(std::string_view token) {
  auto card = FindCard(token);
  if (!card) return std::unexpected(card.error());
  if (const auto& decline = (*card)->attach_decline) {
    return MakeError(ErrorKind::kFailedPrecondition, std::string(decline->code),
                     std::string(decline->message), "payment_method_token");
  }
  return CardDetails{std::string((*card)->brand), std::string((*card)->last4), kExpMonth, kExpYear};
}

Result<ChargeOutcome> SandboxGateway::Charge(const ChargeRequest& request) {
  if (auto checked = CheckRequest(request); !checked) return std::unexpected(checked.error());
  auto card = FindCard(request.payment_method_token);
  if (!card) return std::unexpected(card.error());
  const std::string fingerprint = Fingerprint(request);

  // The writer runs the look-up and the insert in one IMMEDIATE transaction, so no other
  // connection can slip a charge for this key in between.
  std::optional<Result<ChargeOutcome>> answer;
  auto written = connections_->Write([&](SQLite::Database& db) -> Status {
    StatementLease query_lease =
        Prepared(db,
                 "SELECT request_fingerprint, status, charge_id, decline_code, decline_message "
                 "FROM sandbox_charges WHERE idempotency_key = ?");
    SQLite::Statement& query = *query_lease;
    query.bind(1, request.idempotency_key);
    if (query.executeStep()) {
      answer = Replay(query, request, fingerprint);
      return Ok();
    }
    ChargeOutcome outcome = Decide(**card, NewChargeId());
    StatementLease insert_lease =
        Prepared(db,
                 "INSERT INTO sandbox_charges (idempotency_key, request_fingerprint, status, "
                 "charge_id, decline_code, decline_message) VALUES (?, ?, ?, ?, ?, ?)");
    SQLite::Statement& insert = *insert_lease;
    insert.bind(1, request.idempotency_key);
    insert.bind(2, fingerprint);
    insert.bind(3, std::string(ChargeStatusName(outcome.status)));
    insert.bind(4, outcome.gateway_charge_id);
    insert.bind(5, outcome.code);
    insert.bind(6, outcome.message);
    insert.exec();
    answer = std::move(outcome);
    return Ok();
  });
  if (!written) {
    return MakeError(ErrorKind::kUnavailable, "storage_error",
                     "recording the sandbox charge for key \"" + request.idempotency_key +
                         "\" failed: " + written.error().message);
  }
  return std::move(*answer);
}

}  // namespace recur
