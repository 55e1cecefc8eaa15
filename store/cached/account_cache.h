// Accounts as last loaded, kept in memory so that reads (the pricing table, GET of a payer)
// skip the database. It only ever holds what the store returned. A load takes a ticket before
// it reads the store and offers what it read with it; a store of a payer (Changed) drops the
// payer's entry and voids every ticket of its shard taken before, so an account read before a
// change was committed can never be kept after it. A stored change may hand over the account
// as the store now holds it (Stored), which is kept in place of the old one; otherwise the
// payer is read from the store again at its next load. At most about `capacity` accounts are kept;
// past that an arbitrary one of the shard makes room. Thread-safe: entries are spread over shards,
// each with its own mutex.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "domain/subscriptions/account.h"

namespace recur {

class AccountCache {
 public:
  using Ticket = std::uint64_t;

  explicit AccountCache(std::size_t capacity);

  // The payer's account, if it is held.
  std::optional<Account> Find(const std::string& payer_id) const;
  // To take before reading the payer from the store.
  Ticket BeforeLoad(const std::string& payer_id) const;
  // Keeps `account`, read from the store after `ticket` was taken, unless a change of a payer
  // of its shard was reported since.
  void Offer(const Account& account, Ticket ticket);
  // A change of the payer was stored (or may have been): call after the store answered.
  void Changed(const std::string& payer_id);
  // A change was stored and `account` is what the store now holds for the payer. Changes of
  // one payer must be reported in the order they were stored (the billing service's payer
  // lock makes them so); an account older than the one held is ignored all the same.
  void Stored(const Account& account);

 private:
  struct Shard {
    mutable std::mutex mutex;
    Ticket changes = 0;  // reported changes of the shard's payers
    std::unordered_map<std::string, Account> accounts;
  };
  static constexpr std::size_t kShards = 16;

  Shard& ShardOf(const std::string& payer_id) const;
  // Keeps `account` in `shard`, making room if it is full. The shard's mutex is held.
  void Keep(Shard& shard, const Account& account);

  const std::size_t shard_capacity_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace recur
