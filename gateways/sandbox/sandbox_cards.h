// The sandbox gateway's test cards: each token and what attaching and charging it does. The
// Stripe-named tokens behave as Stripe's test PaymentMethods of the same name; the
// pm_card_sandbox... tokens stand for outcomes Stripe has no test card for. docs/api.md lists
// them for users. Constant data.
#pragma once

#include <optional>
#include <string_view>

#include "base/error.h"
#include "domain/subscriptions/charge_outcome.h"

namespace recur {

// What the sandbox answers: a status with its code and message (empty when paid or pending).
struct SandboxAnswer {
  ChargeStatus status;
  std::string_view code;
  std::string_view message;
};

struct SandboxCard {
  std::string_view token;
  std::string_view brand;
  std::string_view last4;
  // Attach refuses the card with this code and message; none: it attaches.
  std::optional<SandboxAnswer> attach_refusal;
  SandboxAnswer charge;  // what every charge first answers
  // What a charge first answered pending becomes, once looked up or finished.
  SandboxAnswer decided;
  // The first charge of each key is made and recorded, but its answer is lost on the way back,
  // as when a gateway times out: the call fails (kUnavailable "gateway_timeout"). Asked again
  // with the key, by a charge or a look-up, the sandbox answers what it recorded.
  bool answer_lost;
};

// The card of `token`, or Error{kInvalidArgument, "unknown_payment_token"} listing the tokens.
Result<const SandboxCard*> FindSandboxCard(std::string_view token);

}  // namespace recur
