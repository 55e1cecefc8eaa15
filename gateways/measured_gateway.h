// A PaymentGateway that counts and times the charges it passes on to another: charges by
// outcome (paid, declined, pending, requires_action, or error: no answer about the charge) and
// their latency, for /metrics. Every call is forwarded unchanged; only Charge is measured,
// because it is the call whose slowness or failures hold up payers. Lock-free; as thread-safe as
// the gateway it wraps, which it does not own.
#pragma once

#include <chrono>

#include "base/metrics.h"
#include "gateways/forwarding_payment_gateway.h"

namespace recur {

class MeasuredGateway final : public ForwardingPaymentGateway {
 public:
  explicit MeasuredGateway(PaymentGateway& inner) : ForwardingPaymentGateway(inner) {}

  Result<ChargeOutcome> Charge(const ChargeRequest& request) override {
    const auto started = std::chrono::steady_clock::now();
    Result<ChargeOutcome> outcome = ForwardingPaymentGateway::Charge(request);
    latency_.Observe(std::chrono::steady_clock::now() - started);
    if (!outcome) {
      errors_.Add();
    } else {
      by_status_[static_cast<std::size_t>(outcome->status)].Add();
    }
    return outcome;
  }

  void WriteMetrics(MetricsText& text) const {
    text.Family("recur_gateway_charges_total", "counter",
                "Charges asked of the payment gateway, by outcome (error: no answer about it)");
    for (const auto& [status, name] :
         {std::pair{ChargeStatus::kPaid, "paid"}, std::pair{ChargeStatus::kDeclined, "declined"},
          std::pair{ChargeStatus::kPending, "pending"},
          std::pair{ChargeStatus::kRequiresAction, "requires_action"}}) {
      text.Sample("recur_gateway_charges_total", {{"outcome", name}},
                  by_status_[static_cast<std::size_t>(status)].Value());
    }
    text.Sample("recur_gateway_charges_total", {{"outcome", "error"}}, errors_.Value());
    text.Family("recur_gateway_charge_duration_seconds", "histogram",
                "Time the payment gateway took to answer a charge");
    text.Histogram("recur_gateway_charge_duration_seconds", {}, latency_);
  }

 private:
  Counter by_status_[4];  // by ChargeStatus
  Counter errors_;
  LatencyHistogram latency_;
};

}  // namespace recur
