// An AccountStore that tells a listener about every transition it stored. It forwards every
// call to the store it wraps; after a SaveTransition succeeds, and only then, it calls the
// listener with the account before (null for a new payer), the account after and the events
// stored with it. A failed save is not reported. The listener runs on the thread that saved,
// possibly on several threads at once (the scheduler's workers), so it must be thread-safe; a
// transition is reported after it is durable, and transitions of one payer are reported in the
// order they were stored.
#pragma once

#include <functional>

#include "billing/store/account_store.h"

namespace recur {

class ObservedAccountStore final : public AccountStore {
 public:
  using Listener = std::function<void(const Account* before, const Account& after,
                                      const std::vector<StoredEvent>& events)>;

  ObservedAccountStore(AccountStore& inner, Listener listener)
      : inner_(inner), listener_(std::move(listener)) {}

  Result<std::optional<Account>> LoadAccount(const std::string& payer_id) override {
    return inner_.LoadAccount(payer_id);
  }
  Result<std::optional<std::string>> FindPayerId(PayerType type,
                                                 const std::string& external_id) override {
    return inner_.FindPayerId(type, external_id);
  }
  Result<std::optional<std::string>> FindPayerIdOfItem(const std::string& item_id) override {
    return inner_.FindPayerIdOfItem(item_id);
  }
  Status SaveTransition(const Account* before, const Account& after,
                        const std::vector<StoredEvent>& events,
                        const std::vector<DueWork>& scheduled,
                        std::int64_t completes_work) override {
    Status saved = inner_.SaveTransition(before, after, events, scheduled, completes_work);
    if (saved) listener_(before, after, events);
    return saved;
  }
  Result<std::vector<DueWork>> DueWorkUntil(Instant until,
                                            const std::optional<std::string>& clock_id,
                                            int limit) override {
    return inner_.DueWorkUntil(until, clock_id, limit);
  }
  Result<Page<PaymentAttempt>> ListPaymentAttempts(const std::string& payer_id,
                                                   const ListOptions& options) override {
    return inner_.ListPaymentAttempts(payer_id, options);
  }
  Result<Page<StoredEvent>> ListEvents(const std::string& payer_id, const std::string& type,
                                       const ListOptions& options) override {
    return inner_.ListEvents(payer_id, type, options);
  }
  Result<std::vector<CurrentPlan>> ListCurrentPlans() override { return inner_.ListCurrentPlans(); }
  Result<std::vector<std::string>> PayersWithPendingAttempts() override {
    return inner_.PayersWithPendingAttempts();
  }

 private:
  AccountStore& inner_;
  Listener listener_;
};

}  // namespace recur
