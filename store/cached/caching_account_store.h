// An AccountStore that answers LoadAccount from an AccountCache (account_cache.h) when it can,
// and otherwise forwards to the store it wraps and offers what it read to the cache. Every
// SaveTransition is forwarded and then reported to the cache, committed or not: the account
// as stored (stored_account.h) is kept in place of the old one, and where that cannot be
// worked out, or the save failed, the next load of that payer reads the store. Everything else is
// forwarded as is (forwarding_account_store.h).
// Alone on its database (SQLite: every change goes through this process), the cache is exact
// and answers unchecked. Sharing the database with other nodes (PostgreSQL), it is given the
// database's StoredVersions (stored_versions.h) and checks a held account before answering
// with it: one indexed read of the payer's version; a different version (a change another node
// stored) or a payer that is gone drops the entry and the account is read in full. So a load
// that starts after another node's change was committed sees it, always. A failed check is the
// load's error: an account that cannot be checked is never answered.
// Thread-safe.
#pragma once

#include "store/cached/account_cache.h"
#include "store/forwarding_account_store.h"
#include "store/stored_account.h"
#include "store/stored_versions.h"

namespace recur {

class CachingAccountStore final : public ForwardingAccountStore {
 public:
  // `shared`: the versions to check held accounts against, when other nodes write the same
  // database; null when this process is the database's only writer.
  CachingAccountStore(AccountStore& inner, std::size_t capacity, StoredVersions* shared = nullptr)
      : ForwardingAccountStore(inner), cache_(capacity), shared_(shared) {}

  Result<std::optional<Account>> LoadAccount(const std::string& payer_id) override {
    if (std::optional<Account> cached = cache_.Find(payer_id)) {
      if (shared_ == nullptr) return cached;
      auto stored = shared_->PayerVersion(payer_id);
      if (!stored) return std::unexpected(stored.error());
      if (*stored == cached->payer.version) return cached;
      cache_.Changed(payer_id);  // another node changed (or removed) the payer
    }
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
  StoredVersions* const shared_;
};

}  // namespace recur
