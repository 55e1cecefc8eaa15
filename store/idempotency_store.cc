#include "store/idempotency_store.h"

#include "store/idempotent_request_scope.h"

namespace recur {
namespace {

thread_local const IdempotentRequestScope* current_scope = nullptr;

}  // namespace

IdempotentRequestScope::IdempotentRequestScope(std::string key, std::string claimant)
    : key_(std::move(key)), claimant_(std::move(claimant)) {
  current_scope = this;
}

IdempotentRequestScope::~IdempotentRequestScope() { current_scope = nullptr; }

std::optional<std::string> IdempotentRequestScope::CurrentKey() {
  if (current_scope == nullptr) return std::nullopt;
  return current_scope->key_;
}

std::optional<std::string> IdempotentRequestScope::CurrentClaimant() {
  if (current_scope == nullptr) return std::nullopt;
  return current_scope->claimant_;
}

std::string MadeByTransition(const Account* before, const Account& after,
                             const AccountChanges& changes) {
  if (before == nullptr) return after.payer.id;
  for (const AccountChanges::ItemWrite& write : changes.items) {
    if (write.old == nullptr) return write.item->id;
  }
  if (!changes.new_methods.empty()) return changes.new_methods.front()->id;
  if (!changes.items.empty()) return changes.items.front().item->id;
  return after.payer.id;
}

}  // namespace recur
