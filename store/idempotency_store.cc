#include "store/idempotency_store.h"

#include "store/idempotent_request_scope.h"

namespace recur {
namespace {

thread_local const std::string* current_key = nullptr;

}  // namespace

IdempotentRequestScope::IdempotentRequestScope(std::string key) : key_(std::move(key)) {
  current_key = &key_;
}

IdempotentRequestScope::~IdempotentRequestScope() { current_key = nullptr; }

std::optional<std::string> IdempotentRequestScope::CurrentKey() {
  if (current_key == nullptr) return std::nullopt;
  return *current_key;
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
