// The writes of a SaveTransition, worked out from the account read (`before`, null for a new
// payer) and the account after the transition: what every backend stores, and in which order.
//  - methods: those of `after` that `before` lacks, and the ids of those `before` holds and
//    `after` no longer does (removed);
//  - items: those new or different from `before`, the ones leaving a status of which a payer
//    may hold only one (current, upcoming) first, so that a backend that checks its unique
//    keys statement by statement never sees two current or two upcoming items midway;
//  - attempts: those new or different from `before`, in `after`'s order.
// `old` is the row as `before` holds it, null for a new one. The changes point into `before`
// and `after`, which must outlive them. Pure.
#pragma once

#include <string>
#include <vector>

#include "domain/subscriptions/account.h"

namespace recur {

struct AccountChanges {
  struct ItemWrite {
    const SubscriptionItem* item;
    const SubscriptionItem* old;  // null for a new item
  };
  struct AttemptWrite {
    const PaymentAttempt* attempt;
    const PaymentAttempt* old;  // null for a new attempt
  };
  std::vector<const PaymentMethod*> new_methods;
  std::vector<std::string> removed_method_ids;
  std::vector<ItemWrite> items;
  std::vector<AttemptWrite> attempts;
};

AccountChanges ChangesBetween(const Account* before, const Account& after);

// Whether an item in this status leaves the statuses of which a payer holds only one.
bool LeavesOnePerPayerStatus(ItemStatus status);

}  // namespace recur
