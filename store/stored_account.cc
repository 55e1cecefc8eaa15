#include "store/stored_account.h"

#include <algorithm>
#include <tuple>

namespace recur {
namespace {

template <typename T>
bool HoldsId(const std::vector<T>& list, const std::string& id) {
  return std::ranges::any_of(list, [&](const T& x) { return x.id == id; });
}

bool KeepsFixedFields(const Payer& before, const Payer& after) {
  return std::tie(before.id, before.external_id, before.type, before.test_clock_id,
                  before.subscription_id, before.created_at) ==
         std::tie(after.id, after.external_id, after.type, after.test_clock_id,
                  after.subscription_id, after.created_at);
}

// Whether the store may order elements of equal creation instants otherwise than `after` does.
// It puts the rows it adds after the ones it holds, but orders the rows it adds in one change
// its own way: so a new element may share its instant with old ones that come before it in
// `after`, and with nothing else.
template <typename T>
bool OrderOfEqualInstantsUnknown(const std::vector<T>* before, const std::vector<T>& after) {
  const auto is_new = [&](const T& x) { return before == nullptr || !HoldsId(*before, x.id); };
  for (auto added = after.begin(); added != after.end(); ++added) {
    if (!is_new(*added)) continue;
    for (auto other = after.begin(); other != after.end(); ++other) {
      if (other == added || other->created_at != added->created_at) continue;
      if (is_new(*other) || other > added) return true;
    }
  }
  return false;
}

}  // namespace

std::optional<Account> AccountAsStored(const Account* before, const Account& after) {
  if (before != nullptr) {
    if (!KeepsFixedFields(before->payer, after.payer)) return std::nullopt;
    for (const PaymentMethod& method : before->payment_methods) {
      if (std::ranges::find(after.payment_methods, method) == after.payment_methods.end()) {
        return std::nullopt;
      }
    }
    for (const SubscriptionItem& item : before->items) {
      if (!HoldsId(after.items, item.id)) return std::nullopt;
    }
    for (const PaymentAttempt& attempt : before->attempts) {
      if (!HoldsId(after.attempts, attempt.id)) return std::nullopt;
    }
  }
  if (OrderOfEqualInstantsUnknown(before ? &before->items : nullptr, after.items) ||
      OrderOfEqualInstantsUnknown(before ? &before->attempts : nullptr, after.attempts)) {
    return std::nullopt;
  }

  Account stored = after;
  stored.payer.version = before == nullptr ? 1 : before->payer.version + 1;
  std::erase_if(stored.attempts,
                [](const PaymentAttempt& a) { return a.status != AttemptStatus::kPending; });
  SortAsLoaded(stored);
  return stored;
}

void SortAsLoaded(Account& account) {
  std::ranges::sort(account.payment_methods, [](const PaymentMethod& a, const PaymentMethod& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  std::ranges::stable_sort(account.items, {}, &SubscriptionItem::created_at);
  std::ranges::stable_sort(account.attempts, {}, &PaymentAttempt::created_at);
}

}  // namespace recur
