#include "gateways/sandbox/sandbox_gateway.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "gateways/sandbox/sandbox_cards.h"

namespace recur {
namespace {

using nlohmann::json;

constexpr int kExpMonth = 12;
constexpr int kExpYear = 2034;
constexpr std::size_t kRandomIdLength = 24;            // as the sandbox's ids always were
constexpr std::size_t kMaxIdempotencyKeyLength = 255;  // Stripe's limit
constexpr std::string_view kCustomerPrefix = "cus_sandbox_";
constexpr std::string_view kNoticeType = "charge.settled";

std::unexpected<Error> Invalid(std::string code, std::string message, std::string param = {}) {
  return MakeError(ErrorKind::kInvalidArgument, std::move(code), std::move(message),
                   std::move(param));
}

// A failure of the ledger: nothing is known to have happened, and the call may be made again.
std::unexpected<Error> StorageError(const std::string& what, const Error& error) {
  return MakeError(ErrorKind::kUnavailable, "storage_error", what + " failed: " + error.message);
}

std::unexpected<Error> UnknownCustomer(const std::string& customer) {
  return Invalid("unknown_customer",
                 "\"" + customer + "\" is not a sandbox customer; EnsureCustomer makes one",
                 "customer");
}

std::unexpected<Error> ChargeNotFound(const std::string& which) {
  return MakeError(ErrorKind::kNotFound, "charge_not_found", "the sandbox holds no charge " + which,
                   "charge");
}

std::unexpected<Error> KeyReused(const std::string& key, const std::string& first,
                                 const std::string& now) {
  return Invalid("idempotency_key_reused",
                 "idempotency key \"" + key + "\" was first used for a different request (" +
                     first + "), not " + now,
                 "idempotency_key");
}

bool IsCurrencyShaped(std::string_view currency) {
  if (currency.size() != 3) return false;
  for (char c : currency) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

Status CheckAmount(std::int64_t amount) {
  if (amount > 0) return Ok();
  return Invalid("invalid_amount",
                 "amount must be a positive number of minor units, got " + std::to_string(amount),
                 "amount");
}

Status CheckKey(const std::string& key) {
  if (!key.empty() && key.size() <= kMaxIdempotencyKeyLength) return Ok();
  return Invalid("invalid_idempotency_key",
                 "every charge and refund needs an idempotency key of 1 to " +
                     std::to_string(kMaxIdempotencyKeyLength) + " characters",
                 "idempotency_key");
}

Status CheckRequest(const ChargeRequest& request) {
  if (auto amount = CheckAmount(request.amount); !amount) return amount;
  if (!IsCurrencyShaped(request.currency)) {
    return Invalid("invalid_currency",
                   "\"" + request.currency + "\" is not an ISO 4217 code (three capital letters)",
                   "currency");
  }
  return CheckKey(request.idempotency_key);
}

// What a charge key is bound to. Unambiguous because the token is a known one and the currency
// is three capital letters, so neither holds a ';'.
std::string Fingerprint(const ChargeRequest& request) {
  return "amount=" + std::to_string(request.amount) + ";currency=" + request.currency +
         ";token=" + request.payment_method_token;
}

std::string Fingerprint(const RefundRequest& request) {
  return "charge=" + request.gateway_charge_id + ";amount=" + std::to_string(request.amount);
}

ChargeOutcome Outcome(const SandboxCharge& charge, ChargeStatus status, std::string code,
                      std::string message) {
  return {status, charge.charge_id, std::move(code), std::move(message), /*replayed=*/true};
}

ChargeOutcome FirstAnswer(const SandboxCharge& charge) {
  return Outcome(charge, charge.status, charge.code, charge.message);
}

// What the charge is now: its first answer, or what a pending one became; still pending when
// it was not decided yet.
Result<ChargeOutcome> Current(SandboxRecords& records, const SandboxCharge& charge) {
  if (charge.status != ChargeStatus::kPending) return FirstAnswer(charge);
  auto decision = records.FindDecision(charge.idempotency_key);
  if (!decision) return std::unexpected(decision.error());
  if (!*decision) return FirstAnswer(charge);
  return Outcome(charge, (*decision)->status, (*decision)->code, (*decision)->message);
}

// The same, but a pending charge not decided yet is decided now, as its token says.
Result<ChargeOutcome> Decide(SandboxBook& book, const SandboxCharge& charge) {
  auto current = Current(book, charge);
  if (!current || current->status != ChargeStatus::kPending) return current;
  auto card = FindSandboxCard(charge.token);
  if (!card) return std::unexpected(card.error());
  const SandboxAnswer& decided = (*card)->decided;
  const SandboxDecision decision{charge.idempotency_key, decided.status, std::string(decided.code),
                                 std::string(decided.message)};
  if (auto added = book.AddDecision(decision); !added) return std::unexpected(added.error());
  return Outcome(charge, decision.status, decision.code, decision.message);
}

json NoticeBody(const SandboxCharge& charge, const ChargeOutcome& outcome) {
  return {{"object", "event"},
          {"type", kNoticeType},
          {"charge",
           {{"id", charge.charge_id},
            {"idempotency_key", charge.idempotency_key},
            {"payer_id", charge.payer_id},
            {"attempt_id", charge.attempt_id},
            {"status", ChargeStatusName(outcome.status)},
            {"code", outcome.code},
            {"message", outcome.message}}}};
}

std::optional<std::string> StringField(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// A notice as the sandbox writes it: empty when it is of another type.
Result<std::optional<ChargeNotice>> ParseNotice(const std::string& body) {
  const json notice = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto unreadable = [](std::string why) {
    return Invalid("invalid_notice", "not a sandbox notice: " + std::move(why));
  };
  if (!notice.is_object()) return unreadable("the body is not a JSON object");
  const auto type = StringField(notice, "type");
  if (!type) return unreadable("it has no type");
  if (*type != kNoticeType) return std::nullopt;
  auto charge = notice.find("charge");
  if (charge == notice.end() || !charge->is_object()) return unreadable("it names no charge");
  ChargeNotice read;
  std::optional<std::string> fields[] = {
      StringField(*charge, "id"),       StringField(*charge, "idempotency_key"),
      StringField(*charge, "payer_id"), StringField(*charge, "attempt_id"),
      StringField(*charge, "status"),   StringField(*charge, "code"),
      StringField(*charge, "message")};
  for (const auto& field : fields) {
    if (!field) return unreadable("the charge lacks a field");
  }
  const auto status = ParseChargeStatus(*fields[4]);
  if (!status) return unreadable("\"" + *fields[4] + "\" is not a charge status");
  read.outcome = {*status, *fields[0], *fields[5], *fields[6]};
  read.idempotency_key = *fields[1];
  read.payer_id = *fields[2];
  read.attempt_id = *fields[3];
  return read;
}

}  // namespace

SandboxGateway::SandboxGateway(SandboxLedger& ledger, IdGenerator* ids)
    : ledger_(ledger), ids_(ids) {}

std::string SandboxGateway::NewId(std::string_view prefix) {
  if (ids_ != nullptr) return ids_->NewId(prefix);
  return std::string(prefix) + "_" + RandomBase62(kRandomIdLength);
}

Result<std::string> SandboxGateway::EnsureCustomer(const CustomerRequest& request) {
  if (request.payer_id.empty()) return Invalid("invalid_payer", "a customer needs a payer id");
  const std::string id = std::string(kCustomerPrefix) + request.payer_id;
  bool known = false;
  auto read = ledger_.Read([&](SandboxRecords& records) -> Status {
    auto found = records.FindCustomer(id);
    if (!found) return std::unexpected(found.error());
    known = found->has_value();
    return Ok();
  });
  if (!read) return StorageError("reading sandbox customer " + id, read.error());
  if (known) return id;
  auto written = ledger_.Write([&](SandboxBook& book) -> Status {
    auto found = book.FindCustomer(id);
    if (!found) return std::unexpected(found.error());
    if (*found) return Ok();  // made by a concurrent call
    return book.AddCustomer({id, request.payer_id, request.email, request.name});
  });
  if (!written) return StorageError("recording sandbox customer " + id, written.error());
  return id;
}

Status SandboxGateway::CheckCustomer(const std::string& customer) {
  bool known = false;
  auto read = ledger_.Read([&](SandboxRecords& records) -> Status {
    auto found = records.FindCustomer(customer);
    if (!found) return std::unexpected(found.error());
    known = found->has_value();
    return Ok();
  });
  if (!read) return StorageError("reading sandbox customer " + customer, read.error());
  if (!known) return UnknownCustomer(customer);
  return Ok();
}

Result<CardSetup> SandboxGateway::StartCardSetup(const std::string& customer) {
  if (auto known = CheckCustomer(customer); !known) return std::unexpected(known.error());
  const std::string id = NewId("seti_sandbox");
  return CardSetup{id, id + "_secret_" + RandomBase62(kRandomIdLength)};
}

Result<CardDetails> SandboxGateway::Attach(const AttachRequest& request) {
  auto card = FindSandboxCard(request.token);
  if (!card) return std::unexpected(card.error());
  if (const auto& refusal = (*card)->attach_refusal) {
    return MakeError(ErrorKind::kFailedPrecondition, std::string(refusal->code),
                     std::string(refusal->message), "payment_method_token");
  }
  if (auto known = CheckCustomer(request.customer); !known) return std::unexpected(known.error());
  return CardDetails{std::string((*card)->brand), std::string((*card)->last4), kExpMonth, kExpYear,
                     request.token};
}

Status SandboxGateway::SetDefaultCard(const SavedCard& card) {
  if (auto known = FindSandboxCard(card.token); !known) return std::unexpected(known.error());
  return CheckCustomer(card.customer);
}

Status SandboxGateway::Detach(const SavedCard&) { return Ok(); }

Result<ChargeOutcome> SandboxGateway::Charge(const ChargeRequest& request) {
  if (auto checked = CheckRequest(request); !checked) return std::unexpected(checked.error());
  auto card = FindSandboxCard(request.payment_method_token);
  if (!card) return std::unexpected(card.error());
  const std::string fingerprint = Fingerprint(request);

  // The look-up and the record run in one transaction, so no other writer can slip a charge
  // for this key in between.
  std::optional<Result<ChargeOutcome>> answer;
  bool made = false;  // a new charge, not the answer of an earlier one
  auto written = ledger_.Write([&](SandboxBook& book) -> Status {
    auto first = book.FindCharge(request.idempotency_key);
    if (!first) return std::unexpected(first.error());
    if (*first) {
      answer = (*first)->fingerprint == fingerprint
                   ? Result<ChargeOutcome>(FirstAnswer(**first))
                   : KeyReused(request.idempotency_key, (*first)->fingerprint, fingerprint);
      return Ok();
    }
    auto customer = book.FindCustomer(request.customer);
    if (!customer) return std::unexpected(customer.error());
    if (!*customer) {
      answer = UnknownCustomer(request.customer);
      return Ok();
    }
    const SandboxAnswer& said = (*card)->charge;
    const SandboxCharge charge{request.idempotency_key, fingerprint,
                               NewId("ch_sandbox"),     said.status,
                               std::string(said.code),  std::string(said.message),
                               request.customer,        request.payer_id,
                               request.attempt_id,      request.payment_method_token,
                               request.amount,          request.currency};
    if (auto added = book.AddCharge(charge); !added) return added;
    ChargeOutcome outcome = FirstAnswer(charge);
    outcome.replayed = false;
    answer = std::move(outcome);
    made = true;
    return Ok();
  });
  if (!written) {
    return StorageError("recording the sandbox charge for key \"" + request.idempotency_key + "\"",
                        written.error());
  }
  if (made && (*card)->answer_lost) {
    return MakeError(ErrorKind::kUnavailable, "gateway_timeout",
                     "the payment gateway did not answer the charge with key \"" +
                         request.idempotency_key + "\" in time; it may have been made (" +
                         std::string((*card)->token) + " made it and lost the answer)");
  }
  return std::move(*answer);
}

Result<ChargeOutcome> SandboxGateway::LookUpCharge(const ChargeLookup& lookup) {
  if (lookup.idempotency_key.empty() && lookup.gateway_charge_id.empty()) {
    return Invalid("invalid_lookup", "a look-up names a charge by its key or its id");
  }
  const std::string which = lookup.gateway_charge_id.empty()
                                ? "for key \"" + lookup.idempotency_key + "\""
                                : lookup.gateway_charge_id;
  std::optional<Result<ChargeOutcome>> answer;
  auto written = ledger_.Write([&](SandboxBook& book) -> Status {
    auto charge = lookup.gateway_charge_id.empty() ? book.FindCharge(lookup.idempotency_key)
                                                   : book.FindChargeById(lookup.gateway_charge_id);
    if (!charge) return std::unexpected(charge.error());
    const bool matches =
        *charge &&
        (lookup.idempotency_key.empty() || (*charge)->idempotency_key == lookup.idempotency_key) &&
        (lookup.customer.empty() || (*charge)->customer.empty() ||
         (*charge)->customer == lookup.customer);
    if (!matches) {
      answer = ChargeNotFound(which);
      return Ok();
    }
    auto outcome = Decide(book, **charge);
    if (!outcome) return std::unexpected(outcome.error());
    answer = std::move(*outcome);
    return Ok();
  });
  if (!written) return StorageError("looking up the sandbox charge " + which, written.error());
  return std::move(*answer);
}

Result<GatewayMessage> SandboxGateway::FinishPendingCharge(std::string_view gateway_charge_id) {
  const std::string id(gateway_charge_id);
  std::optional<Result<GatewayMessage>> answer;
  auto written = ledger_.Write([&](SandboxBook& book) -> Status {
    auto charge = book.FindChargeById(id);
    if (!charge) return std::unexpected(charge.error());
    if (!*charge) {
      answer = ChargeNotFound(id);
      return Ok();
    }
    if ((*charge)->status != ChargeStatus::kPending) {
      answer = MakeError(ErrorKind::kFailedPrecondition, "charge_not_pending",
                         "charge " + id + " was answered " +
                             std::string(ChargeStatusName((*charge)->status)) +
                             ", not pending: there is nothing to finish");
      return Ok();
    }
    auto outcome = Decide(book, **charge);
    if (!outcome) return std::unexpected(outcome.error());
    answer = GatewayMessage{{{"Content-Type", "application/json"}},
                            NoticeBody(**charge, *outcome).dump()};
    return Ok();
  });
  if (!written) return StorageError("finishing the sandbox charge " + id, written.error());
  return std::move(*answer);
}

Result<GatewayMessage> SandboxGateway::FinishPendingChargeWithKey(
    std::string_view idempotency_key) {
  const std::string key(idempotency_key);
  std::optional<std::string> charge_id;
  auto read = ledger_.Read([&](SandboxRecords& records) -> Status {
    auto charge = records.FindCharge(key);
    if (!charge) return std::unexpected(charge.error());
    if (*charge) charge_id = (*charge)->charge_id;
    return Ok();
  });
  if (!read) return StorageError("reading the sandbox charge of key " + key, read.error());
  if (!charge_id) return ChargeNotFound(key);
  return FinishPendingCharge(*charge_id);
}

Result<std::optional<GatewayNotice>> SandboxGateway::ReadNotice(const GatewayMessage& message) {
  auto notice = ParseNotice(message.body);
  if (!notice) return std::unexpected(notice.error());
  if (!*notice) return std::nullopt;
  const ChargeNotice& said = **notice;
  bool verified = false;
  auto read = ledger_.Read([&](SandboxRecords& records) -> Status {
    auto charge = records.FindChargeById(said.outcome.gateway_charge_id);
    if (!charge) return std::unexpected(charge.error());
    if (!*charge) return Ok();
    auto current = Current(records, **charge);
    if (!current) return std::unexpected(current.error());
    verified = (*charge)->idempotency_key == said.idempotency_key &&
               (*charge)->payer_id == said.payer_id && (*charge)->attempt_id == said.attempt_id &&
               current->status == said.outcome.status && current->code == said.outcome.code &&
               current->message == said.outcome.message;
    return Ok();
  });
  if (!read) return StorageError("verifying a sandbox notice", read.error());
  if (!verified) {
    return MakeError(ErrorKind::kUnauthenticated, "notice_not_verified",
                     "the notice about charge " + said.outcome.gateway_charge_id +
                         " does not match what the sandbox holds");
  }
  GatewayNotice read_notice;
  read_notice.type = "charge";
  read_notice.charge = said;
  read_notice.payer_id = said.payer_id;
  return read_notice;
}

Result<RefundOutcome> SandboxGateway::Refund(const RefundRequest& request) {
  if (auto amount = CheckAmount(request.amount); !amount) return std::unexpected(amount.error());
  if (auto key = CheckKey(request.idempotency_key); !key) return std::unexpected(key.error());
  const std::string fingerprint = Fingerprint(request);
  const std::string& charge_id = request.gateway_charge_id;
  auto refused = [&](std::string code, std::string message) {
    return MakeError(ErrorKind::kFailedPrecondition, std::move(code), std::move(message), "amount");
  };
  std::optional<Result<RefundOutcome>> answer;
  auto written = ledger_.Write([&](SandboxBook& book) -> Status {
    auto first = book.FindRefund(request.idempotency_key);
    if (!first) return std::unexpected(first.error());
    if (*first) {
      const SandboxRefund& refund = **first;
      answer = refund.fingerprint == fingerprint
                   ? Result<RefundOutcome>(RefundOutcome{RefundStatus::kSucceeded, refund.refund_id,
                                                         refund.charge_id, refund.amount,
                                                         refund.currency, "", "",
                                                         /*replayed=*/true})
                   : KeyReused(request.idempotency_key, refund.fingerprint, fingerprint);
      return Ok();
    }
    auto charge = book.FindChargeById(charge_id);
    if (!charge) return std::unexpected(charge.error());
    if (!*charge) {
      answer = ChargeNotFound(charge_id);
      return Ok();
    }
    auto current = Current(book, **charge);
    if (!current) return std::unexpected(current.error());
    if (current->status != ChargeStatus::kPaid) {
      answer = refused("charge_not_paid", "charge " + charge_id + " is " +
                                              std::string(ChargeStatusName(current->status)) +
                                              ": only a paid charge can be refunded");
      return Ok();
    }
    auto earlier = book.RefundsOf(charge_id);
    if (!earlier) return std::unexpected(earlier.error());
    std::int64_t refunded = 0;
    for (const SandboxRefund& refund : *earlier) refunded += refund.amount;
    const std::int64_t left = (*charge)->amount - refunded;
    if (request.amount > left) {
      answer = refused("refund_exceeds_charge", "charge " + charge_id + " has " +
                                                    std::to_string(left) + " left to refund (of " +
                                                    std::to_string((*charge)->amount) + "), not " +
                                                    std::to_string(request.amount));
      return Ok();
    }
    const SandboxRefund refund{request.idempotency_key, fingerprint,
                               NewId("re_sandbox"),     charge_id,
                               request.amount,          (*charge)->currency};
    if (auto added = book.AddRefund(refund); !added) return added;
    answer = RefundOutcome{RefundStatus::kSucceeded, refund.refund_id, charge_id, refund.amount,
                           refund.currency};
    return Ok();
  });
  if (!written) {
    return StorageError("recording the sandbox refund for key \"" + request.idempotency_key + "\"",
                        written.error());
  }
  return std::move(*answer);
}

}  // namespace recur
