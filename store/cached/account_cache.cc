#include "store/cached/account_cache.h"

#include <algorithm>
#include <functional>

namespace recur {

AccountCache::AccountCache(std::size_t capacity)
    : shard_capacity_(std::max<std::size_t>(1, capacity / kShards)) {}

AccountCache::Shard& AccountCache::ShardOf(const std::string& payer_id) const {
  return shards_[std::hash<std::string>{}(payer_id) % kShards];
}

std::optional<Account> AccountCache::Find(const std::string& payer_id) const {
  Shard& shard = ShardOf(payer_id);
  std::lock_guard lock(shard.mutex);
  auto found = shard.accounts.find(payer_id);
  if (found == shard.accounts.end()) return std::nullopt;
  return found->second;
}

AccountCache::Ticket AccountCache::BeforeLoad(const std::string& payer_id) const {
  Shard& shard = ShardOf(payer_id);
  std::lock_guard lock(shard.mutex);
  return shard.changes;
}

void AccountCache::Offer(const Account& account, Ticket ticket) {
  Shard& shard = ShardOf(account.payer.id);
  std::lock_guard lock(shard.mutex);
  if (shard.changes != ticket) return;
  Keep(shard, account);
}

void AccountCache::Keep(Shard& shard, const Account& account) {
  if (shard.accounts.size() >= shard_capacity_ && !shard.accounts.contains(account.payer.id)) {
    shard.accounts.erase(shard.accounts.begin());
  }
  shard.accounts.insert_or_assign(account.payer.id, account);
}

void AccountCache::Changed(const std::string& payer_id) {
  Shard& shard = ShardOf(payer_id);
  std::lock_guard lock(shard.mutex);
  ++shard.changes;
  shard.accounts.erase(payer_id);
}

void AccountCache::Stored(const Account& account) {
  Shard& shard = ShardOf(account.payer.id);
  std::lock_guard lock(shard.mutex);
  ++shard.changes;
  auto held = shard.accounts.find(account.payer.id);
  if (held != shard.accounts.end() && held->second.payer.version >= account.payer.version) return;
  Keep(shard, account);
}

}  // namespace recur
