// An AccountStore that forwards every call to the store it wraps: the base of the decorators
// that change only a few calls (observed_account_store.h, cached/caching_account_store.h).
#pragma once

#include "store/account_store.h"

namespace recur {

class ForwardingAccountStore : public AccountStore {
 public:
  explicit ForwardingAccountStore(AccountStore& inner) : inner_(inner) {}

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
                        const std::vector<DueWork>& completes_work) override {
    return inner_.SaveTransition(before, after, events, scheduled, completes_work);
  }
  Result<std::vector<DueWork>> DueWorkUntil(Instant until,
                                            const std::optional<std::string>& clock_id,
                                            int limit) override {
    return inner_.DueWorkUntil(until, clock_id, limit);
  }
  Status ReleaseDueWork(const std::vector<DueWork>& pieces) override {
    return inner_.ReleaseDueWork(pieces);
  }
  Result<Page<std::string>> ListPayerIds(const std::string& query,
                                         const ListOptions& options) override {
    return inner_.ListPayerIds(query, options);
  }
  Result<Page<PaymentAttempt>> ListPaymentAttempts(const std::string& payer_id,
                                                   const ListOptions& options) override {
    return inner_.ListPaymentAttempts(payer_id, options);
  }
  Result<Page<StoredStatement>> ListStatements(const std::string& payer_id,
                                               const ListOptions& options) override {
    return inner_.ListStatements(payer_id, options);
  }
  Result<std::optional<StoredStatement>> LoadStatement(const std::string& statement_id) override {
    return inner_.LoadStatement(statement_id);
  }
  Result<std::optional<AttemptOfPayer>> LoadPaymentAttempt(const std::string& attempt_id) override {
    return inner_.LoadPaymentAttempt(attempt_id);
  }
  Result<Page<StoredEvent>> ListEvents(const std::string& payer_id, const std::string& type,
                                       const ListOptions& options) override {
    return inner_.ListEvents(payer_id, type, options);
  }
  Result<std::vector<CurrentPlan>> ListCurrentPlans() override { return inner_.ListCurrentPlans(); }
  Result<std::vector<TakenAttempt>> TakePendingAttempts(int limit) override {
    return inner_.TakePendingAttempts(limit);
  }
  Status PostponePendingAttempt(const std::string& attempt_id,
                                std::chrono::milliseconds wait) override {
    return inner_.PostponePendingAttempt(attempt_id, wait);
  }

 private:
  AccountStore& inner_;
};

}  // namespace recur
