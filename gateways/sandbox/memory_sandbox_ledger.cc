#include "gateways/sandbox/memory_sandbox_ledger.h"

#include <utility>

namespace recur {
namespace {

using Records = MemorySandboxLedger::Records;

template <typename Map>
auto Find(const Map& map, std::string_view key) -> std::optional<typename Map::mapped_type> {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

std::unexpected<Error> Taken(std::string what) {
  return MakeError(ErrorKind::kAlreadyExists, "sandbox_record_exists",
                   what + " is recorded already");
}

// Reads what is committed and what this transaction added so far; adds to the latter.
class Book final : public SandboxBook {
 public:
  explicit Book(const Records& committed) : committed_(committed) {}

  Records& added() { return added_; }

  Result<std::optional<SandboxCustomer>> FindCustomer(std::string_view customer_id) override {
    return Either(&Records::customers, customer_id);
  }
  Result<std::optional<SandboxCharge>> FindCharge(std::string_view key) override {
    return Either(&Records::charges, key);
  }
  Result<std::optional<SandboxCharge>> FindChargeById(std::string_view charge_id) override {
    auto key = Either(&Records::charge_keys, charge_id);
    if (!*key) return std::optional<SandboxCharge>();
    return FindCharge(**key);
  }
  Result<std::optional<SandboxDecision>> FindDecision(std::string_view key) override {
    return Either(&Records::decisions, key);
  }
  Result<std::optional<SandboxRefund>> FindRefund(std::string_view key) override {
    return Either(&Records::refunds, key);
  }
  Result<std::vector<SandboxRefund>> RefundsOf(std::string_view charge_id) override {
    std::vector<SandboxRefund> refunds;
    for (const Records* records : {&committed_, static_cast<const Records*>(&added_)}) {
      for (const std::string& key : records->refund_order) {
        const SandboxRefund& refund = records->refunds.at(key);
        if (refund.charge_id == charge_id) refunds.push_back(refund);
      }
    }
    return refunds;
  }

  Status AddCustomer(const SandboxCustomer& customer) override {
    if (*FindCustomer(customer.customer_id)) return Taken("customer " + customer.customer_id);
    added_.customers.emplace(customer.customer_id, customer);
    return Ok();
  }
  Status AddCharge(const SandboxCharge& charge) override {
    if (*FindCharge(charge.idempotency_key) || *FindChargeById(charge.charge_id)) {
      return Taken("charge " + charge.charge_id + " (key " + charge.idempotency_key + ")");
    }
    added_.charges.emplace(charge.idempotency_key, charge);
    added_.charge_keys.emplace(charge.charge_id, charge.idempotency_key);
    return Ok();
  }
  Status AddDecision(const SandboxDecision& decision) override {
    if (*FindDecision(decision.idempotency_key)) {
      return Taken("the decision of key " + decision.idempotency_key);
    }
    added_.decisions.emplace(decision.idempotency_key, decision);
    return Ok();
  }
  Status AddRefund(const SandboxRefund& refund) override {
    if (*FindRefund(refund.idempotency_key)) return Taken("refund key " + refund.idempotency_key);
    added_.refunds.emplace(refund.idempotency_key, refund);
    added_.refund_order.push_back(refund.idempotency_key);
    return Ok();
  }

 private:
  template <typename Map>
  Result<std::optional<typename Map::mapped_type>> Either(Map Records::*map,
                                                          std::string_view key) const {
    if (auto found = Find(added_.*map, key)) return found;
    return Find(committed_.*map, key);
  }

  const Records& committed_;
  Records added_;
};

}  // namespace

Status MemorySandboxLedger::Write(const std::function<Status(SandboxBook&)>& work) {
  std::lock_guard lock(mutex_);
  Book book(records_);
  if (auto done = work(book); !done) return done;
  Records& added = book.added();
  records_.customers.merge(added.customers);
  records_.charges.merge(added.charges);
  records_.charge_keys.merge(added.charge_keys);
  records_.decisions.merge(added.decisions);
  records_.refunds.merge(added.refunds);
  records_.refund_order.insert(records_.refund_order.end(), added.refund_order.begin(),
                               added.refund_order.end());
  return Ok();
}

Status MemorySandboxLedger::Read(const std::function<Status(SandboxRecords&)>& work) {
  std::lock_guard lock(mutex_);
  Book book(records_);
  return work(book);
}

}  // namespace recur
