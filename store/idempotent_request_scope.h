// Which keyed request the current thread is handling, so that a store can record, in the
// transaction of each change it makes, that the request's Idempotency-Key made that change
// (idempotency_store.h says why and what is recorded). The HTTP layer opens a scope around the
// handler of a keyed request; the services in between know nothing of keys. A change made on
// another thread (the webhook dispatcher, the scheduler's own loop) is no request's and is not
// recorded. A backend that hands its writes to a thread of its own reads CurrentKey() on the
// caller's thread, before handing the write over. The scope also names the server instance that
// claimed the key, so that a backend shared by several servers can check, in the change's
// transaction, that the claim is still that instance's (idempotency_store.h, fencing).
// Thread safety: a scope belongs to the thread that made it; scopes do not nest.
#pragma once

#include <optional>
#include <string>

namespace recur {

class IdempotentRequestScope {
 public:
  IdempotentRequestScope(std::string key, std::string claimant);
  ~IdempotentRequestScope();
  IdempotentRequestScope(const IdempotentRequestScope&) = delete;
  IdempotentRequestScope& operator=(const IdempotentRequestScope&) = delete;

  // The key of the scope open on this thread; none outside a scope.
  static std::optional<std::string> CurrentKey();
  // The instance that claimed the key of the scope open on this thread; none outside a scope.
  static std::optional<std::string> CurrentClaimant();

 private:
  std::string key_;
  std::string claimant_;
};

}  // namespace recur
