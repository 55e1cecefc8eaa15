// A PaymentGateway that passes every call to the gateway it wraps: the base of the decorators
// that change only a call or two (a test's counting gateway, the serve command's test fault,
// the measured gateway of the metrics). It does not own the gateway it wraps; thread-safe as that
// gateway is.
#pragma once

#include "gateways/payment_gateway.h"

namespace recur {

class ForwardingPaymentGateway : public PaymentGateway {
 public:
  explicit ForwardingPaymentGateway(PaymentGateway& inner) : inner_(inner) {}

  Result<std::string> EnsureCustomer(const CustomerRequest& request) override {
    return inner_.EnsureCustomer(request);
  }
  Result<CardSetup> StartCardSetup(const std::string& customer) override {
    return inner_.StartCardSetup(customer);
  }
  Result<CardDetails> Attach(const AttachRequest& request) override {
    return inner_.Attach(request);
  }
  Status SetDefaultCard(const SavedCard& card) override { return inner_.SetDefaultCard(card); }
  Status Detach(const SavedCard& card) override { return inner_.Detach(card); }
  Result<ChargeOutcome> Charge(const ChargeRequest& request) override {
    return inner_.Charge(request);
  }
  Result<ChargeOutcome> LookUpCharge(const ChargeLookup& lookup) override {
    return inner_.LookUpCharge(lookup);
  }
  Result<std::optional<GatewayNotice>> ReadNotice(const GatewayMessage& message) override {
    return inner_.ReadNotice(message);
  }
  Result<RefundOutcome> Refund(const RefundRequest& request) override {
    return inner_.Refund(request);
  }

 private:
  PaymentGateway& inner_;
};

}  // namespace recur
