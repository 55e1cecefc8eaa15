#include "simulate/cohort_gateway.h"

#include <charconv>
#include <optional>

#include "simulate/draws.h"

namespace recur {
namespace {

constexpr std::string_view kPrefix = "cohort_card_";
constexpr std::string_view kReplacement = "_new";
constexpr std::uint64_t kDeclineDraw = 0x6465636c696e65;  // what the draw decides: "decline"

struct Card {
  std::int64_t payer = 0;
  bool replacement = false;
};

std::optional<Card> ReadToken(std::string_view token) {
  if (!token.starts_with(kPrefix)) return std::nullopt;
  token.remove_prefix(kPrefix.size());
  Card card;
  if (token.ends_with(kReplacement)) {
    card.replacement = true;
    token.remove_suffix(kReplacement.size());
  }
  auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), card.payer);
  if (error != std::errc() || end != token.data() + token.size() || card.payer < 0) {
    return std::nullopt;
  }
  return card;
}

// The period start in milliseconds from "<item>:<period start>[:retryN]".
std::int64_t PeriodOfKey(std::string_view key) {
  const std::size_t first = key.find(':');
  if (first == std::string_view::npos) return 0;
  key.remove_prefix(first + 1);
  std::int64_t period = 0;
  std::from_chars(key.data(), key.data() + key.size(), period);
  return period;
}

}  // namespace

std::string CohortGateway::CardToken(std::int64_t payer) {
  return std::string(kPrefix) + std::to_string(payer);
}

std::string CohortGateway::ReplacementToken(std::int64_t payer) {
  return CardToken(payer) + std::string(kReplacement);
}

Result<std::string> CohortGateway::EnsureCustomer(const CustomerRequest& request) {
  return "cus_cohort_" + request.payer_id;
}

Result<CardSetup> CohortGateway::StartCardSetup(const std::string&) {
  return MakeError(ErrorKind::kFailedPrecondition, "card_setup_not_supported",
                   "the cohort gateway's cards are made up: it collects none");
}

Result<CardDetails> CohortGateway::Attach(const AttachRequest& request) {
  auto card = ReadToken(request.token);
  if (!card) {
    return MakeError(ErrorKind::kInvalidArgument, "unknown_payment_token",
                     "the cohort gateway knows only cohort_card_<payer> tokens", "token");
  }
  return CardDetails{"visa", card->replacement ? "4444" : "4242", 12, 2034, request.token};
}

Status CohortGateway::SetDefaultCard(const SavedCard&) { return Ok(); }

Status CohortGateway::Detach(const SavedCard&) { return Ok(); }

Result<ChargeOutcome> CohortGateway::Charge(const ChargeRequest& request) {
  auto card = ReadToken(request.payment_method_token);
  if (!card || request.amount <= 0) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_charge",
                     "a charge needs a cohort card and an amount above 0");
  }
  const std::string charge_id = "ch_cohort_" + request.idempotency_key;
  const bool declined =
      !card->replacement &&
      Draw(seed_, {kDeclineDraw, static_cast<std::uint64_t>(card->payer),
                   static_cast<std::uint64_t>(PeriodOfKey(request.idempotency_key))}) < failure_;
  if (!declined) return ChargeOutcome{ChargeStatus::kPaid, charge_id};
  return ChargeOutcome{ChargeStatus::kDeclined, charge_id, "card_declined",
                       "Your card was declined."};
}

Result<ChargeOutcome> CohortGateway::LookUpCharge(const ChargeLookup&) {
  return MakeError(ErrorKind::kNotFound, "charge_not_found",
                   "the cohort gateway keeps no charges: charge the key again for its answer");
}

Result<std::optional<GatewayNotice>> CohortGateway::ReadNotice(const GatewayMessage&) {
  return MakeError(ErrorKind::kUnauthenticated, "notice_not_verified",
                   "the cohort gateway sends no notices");
}

Result<RefundOutcome> CohortGateway::Refund(const RefundRequest&) {
  return MakeError(ErrorKind::kNotFound, "charge_not_found",
                   "the cohort gateway keeps no charges to refund");
}

}  // namespace recur
