// What became of a charge: the one answer a payment gateway gives about a charge
// (gateways/payment_gateway.h) and the lifecycle records on its payment attempt
// (ApplyChargeOutcome in lifecycle.h, which decides what each status does). Plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace recur {

enum class ChargeStatus {
  kPaid,      // the money was taken
  kDeclined,  // the gateway worked and said no; `code` and `message` say why
  // The gateway has the charge but has not decided it yet (Stripe's "processing", say). Nothing
  // is recorded: the attempt stays pending until a look-up or a notice settles it.
  kPending,
  // The payer must authenticate the payment (3-D Secure) before it can be taken, which a charge
  // made off session cannot ask for. The attempt fails with code "authentication_required".
  kRequiresAction,
};

// "paid", "declined", "pending", "requires_action".
std::string_view ChargeStatusName(ChargeStatus status);
std::optional<ChargeStatus> ParseChargeStatus(std::string_view name);

// The code an attempt fails with when its charge requires action, whatever the gateway's own.
inline constexpr std::string_view kAuthenticationRequired = "authentication_required";

struct ChargeOutcome {
  // A default outcome decides nothing: applied to an attempt, it leaves it pending.
  ChargeStatus status = ChargeStatus::kPending;
  std::string gateway_charge_id;  // the gateway's id of the charge, whatever its status
  // The gateway's machine code: for a decline "card_declined", "insufficient_funds", ...; for a
  // required action "authentication_required" or the gateway's own. Empty when paid.
  std::string code;
  std::string message;    // the gateway's words for people; empty when paid
  bool replayed = false;  // the answer is about a charge an earlier call made (same key)
  friend bool operator==(const ChargeOutcome&, const ChargeOutcome&) = default;
};

}  // namespace recur
