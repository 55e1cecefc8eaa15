// A PaymentGateway that passes every call on to another, unchanged: the base of gateways that
// watch the calls of another (measured_gateway.h) and override only what they watch. It does
// not own the gateway it wraps; as thread-safe as that gateway.
#pragma once

#include "gateways/payment_gateway.h"

namespace recur {

class ForwardingGateway : public PaymentGateway {
 public:
  explicit ForwardingGateway(PaymentGateway& inner) : inner_(inner) {}

  Result<std::string> EnsureCustomer(const CustomerRequest& request) override {
    return inner_.EnsureCustomer(request);
  }
  Result<CardSetup> StartCardSetup(const std::string& customer) override {
    return inner_.StartCardSetup(customer);
  }
  Result<CardDetails> Attach(const AttachRequest& request) override {
    return inner_.Attach(request);
  }
  Result<ChargeOutcome> Charge(const ChargeRequest& request) override {
    return inner_.Charge(request);
  }
  Result<ChargeOutcome> LookUpCharge(const ChargeLookup& lookup) override {
    return inner_.LookUpCharge(lookup);
  }
  Result<std::optional<ChargeNotice>> ReadNotice(const GatewayMessage& message) override {
    return inner_.ReadNotice(message);
  }
  Result<RefundOutcome> Refund(const RefundRequest& request) override {
    return inner_.Refund(request);
  }

 private:
  PaymentGateway& inner_;
};

}  // namespace recur
