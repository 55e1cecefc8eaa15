#include "gateways/sandbox/sandbox_cards.h"

#include <array>
#include <string>

namespace recur {
namespace {

constexpr SandboxAnswer kPaid{ChargeStatus::kPaid, "", ""};
constexpr SandboxAnswer kPending{ChargeStatus::kPending, "", ""};
constexpr SandboxAnswer kCardDeclined{ChargeStatus::kDeclined, "card_declined",
                                      "Your card was declined."};
constexpr SandboxAnswer kInsufficientFunds{ChargeStatus::kDeclined, "insufficient_funds",
                                           "Your card has insufficient funds."};
constexpr SandboxAnswer kNeedsAuthentication{
    ChargeStatus::kRequiresAction, kAuthenticationRequired,
    "Your card was declined. This transaction requires authentication."};

constexpr std::array<SandboxCard, 10> kCards{{
    {"pm_card_visa", "visa", "4242", std::nullopt, kPaid, kPaid, false},
    {"pm_card_mastercard", "mastercard", "4444", std::nullopt, kPaid, kPaid, false},
    {"pm_card_amex", "amex", "8431", std::nullopt, kPaid, kPaid, false},
    {"pm_card_chargeDeclined", "visa", "0002", kCardDeclined, kCardDeclined, kCardDeclined, false},
    {"pm_card_chargeDeclinedInsufficientFunds", "visa", "9995", kInsufficientFunds,
     kInsufficientFunds, kInsufficientFunds, false},
    {"pm_card_chargeCustomerFail", "visa", "0341", std::nullopt, kCardDeclined, kCardDeclined,
     false},
    {"pm_card_authenticationRequired", "visa", "3184", std::nullopt, kNeedsAuthentication,
     kNeedsAuthentication, false},
    {"pm_card_sandboxPendingThenPaid", "visa", "0077", std::nullopt, kPending, kPaid, false},
    {"pm_card_sandboxPendingThenDeclined", "visa", "0085", std::nullopt, kPending, kCardDeclined,
     false},
    {"pm_card_sandboxAnswerLostThenPaid", "visa", "0093", std::nullopt, kPaid, kPaid, true},
}};

}  // namespace

Result<const SandboxCard*> FindSandboxCard(std::string_view token) {
  for (const SandboxCard& card : kCards) {
    if (card.token == token) return &card;
  }
  std::string known;
  for (const SandboxCard& card : kCards) {
    if (!known.empty()) known += ", ";
    known += card.token;
  }
  return MakeError(
      ErrorKind::kInvalidArgument, "unknown_payment_token",
      "\"" + std::string(token) + "\" is not a sandbox payment token; the sandbox knows " + known,
      "payment_method_token");
}

}  // namespace recur
