// For tests only (RECUR_TEST_KILL_AFTER_CHARGE): a PaymentGateway that passes every call to the
// one it wraps, and kills the process with SIGKILL as soon as the wrapped gateway has answered a
// charge, before the answer can be committed. The charge is made; its attempt stays pending in
// the store, held by this node, which is dead: what another node must settle without a restart.
// Thread-safe as the wrapped gateway is.
#pragma once

#include <signal.h>
#include <unistd.h>

#include "gateways/forwarding_payment_gateway.h"

namespace recur {

class KilledAfterChargeGateway final : public ForwardingPaymentGateway {
 public:
  using ForwardingPaymentGateway::ForwardingPaymentGateway;

  Result<ChargeOutcome> Charge(const ChargeRequest& request) override {
    (void)ForwardingPaymentGateway::Charge(request);
    ::kill(::getpid(), SIGKILL);
    ::pause();  // SIGKILL cannot be caught: the process ends here
    return MakeError(ErrorKind::kUnavailable, "killed", "the process was killed");
  }
};

}  // namespace recur
