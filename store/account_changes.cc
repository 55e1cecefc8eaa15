#include "store/account_changes.h"

#include <algorithm>

#include "base/find_by_id.h"

namespace recur {

bool LeavesOnePerPayerStatus(ItemStatus status) { return !IsLiveStatus(status); }

AccountChanges ChangesBetween(const Account* before, const Account& after) {
  AccountChanges changes;
  for (const PaymentMethod& method : after.payment_methods) {
    if (before == nullptr || FindById(before->payment_methods, method.id) == nullptr) {
      changes.new_methods.push_back(&method);
    }
  }
  if (before != nullptr) {
    for (const PaymentMethod& method : before->payment_methods) {
      if (FindById(after.payment_methods, method.id) == nullptr) {
        changes.removed_method_ids.push_back(method.id);
      }
    }
  }
  for (const SubscriptionItem& item : after.items) {
    const SubscriptionItem* old = before == nullptr ? nullptr : FindById(before->items, item.id);
    if (old == nullptr || *old != item) changes.items.push_back({&item, old});
  }
  std::stable_partition(changes.items.begin(), changes.items.end(),
                        [](const AccountChanges::ItemWrite& write) {
                          return LeavesOnePerPayerStatus(write.item->status);
                        });
  for (const PaymentAttempt& attempt : after.attempts) {
    const PaymentAttempt* old =
        before == nullptr ? nullptr : FindById(before->attempts, attempt.id);
    if (old == nullptr || *old != attempt) changes.attempts.push_back({&attempt, old});
  }
  return changes;
}

}  // namespace recur
