// An AccountStore that answers LoadAccount from an AccountCache (account_cache.h) when it can,
// and otherwise forwards to the store it wraps and offers what it read to the cache. Every
// SaveTransition is forwarded and then reported to the cache, committed or not: the account
// as stored (stored_account.h) is kept in place of the old one, and where that cannot be
// worked out, or the save failed, the next load of that payer reads the store. Everything else is
// forwarded as is (forwarding_account_store.h). For one process: a change made through another
// process's store is not seen until the payer's next change here.
#pragma once

#include "store/cached/account_cache.h"
#include "store/forwarding_account_store.h"
#include "store/stored_account.h"

namespace recur {

class CachingAccountStore final : public ForwardingAccountStore {
 public:
  CachingAccountStore(AccountStore& inner, std::size_t capacity)
      : ForwardingAccountStore(inner), cache_(capacity) {}

  Result<std::optional<Account>> LoadAccount(const std::string& payer_id) override {
    if (std::optional<Account> cached = cache_.Find(payer_id)) return cached;
    const AccountCache::Ticket ticket = cache_.BeforeLoad(payer_id);
    auto loaded = ForwardingAccountStore::LoadAccount(payer_id);
    if (loaded && *loaded) cache_.Offer(**loaded, ticket);
    return loaded;
  }
  Status SaveTransition(const Account* before, const Account& after,
                        const std::vector<StoredEvent>& events,
                        const std::vector<DueWork>& scheduled,
                        const std::vector<DueWork>& completes_work) override {
    Status saved =
        ForwardingAccountStore::SaveTransition(before, after, events, scheduled, completes_work);
    std::optional<Account> stored = saved ? AccountAsStored(before, after) : std::nullopt;
    if (stored) {
      cache_.Stored(*stored);
    } else {
      cache_.Changed(after.payer.id);
    }
    return saved;
  }

 private:
  AccountCache cache_;
};

}  // namespace recur
