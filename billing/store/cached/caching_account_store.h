// An AccountStore that answers LoadAccount from an AccountCache (account_cache.h) when it can,
// and otherwise forwards to the store it wraps and offers what it read to the cache. Every
// SaveTransition is forwarded and then reported to the cache, committed or not, so the next
// load of that payer reads the store. Everything else is forwarded as is. For one process: a
// change made through another process's store is not seen until the payer's next change here.
#pragma once

#include "billing/store/account_store.h"
#include "billing/store/cached/account_cache.h"

namespace recur {

class CachingAccountStore final : public AccountStore {
 public:
  CachingAccountStore(AccountStore& inner, std::size_t capacity)
      : inner_(inner), cache_(capacity) {}

  Result<std::optional<Account>> LoadAccount(const std::string& payer_id) override {
    if (std::optional<Account> cached = cache_.Find(payer_id)) return cached;
    const AccountCache::Ticket ticket = cache_.BeforeLoad(payer_id);
    auto loaded = inner_.LoadAccount(payer_id);
    if (loaded && *loaded) cache_.Offer(**loaded, ticket);
    return loaded;
  }
  Status SaveTransition(const Account* before, const Account& after,
                        const std::vector<StoredEvent>& events,
                        const std::vector<DueWork>& scheduled,
                        std::int64_t completes_work) override {
    Status saved = inner_.SaveTransition(before, after, events, scheduled, completes_work);
    cache_.Changed(after.payer.id);
    return saved;
  }

  Result<std::optional<std::string>> FindPayerId(PayerType type,
                                                 const std::string& external_id) override {
    return inner_.FindPayerId(type, external_id);
  }
  Result<std::optional<std::string>> FindPayerIdOfItem(const std::string& item_id) override {
    return inner_.FindPayerIdOfItem(item_id);
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
  AccountCache cache_;
};

}  // namespace recur
