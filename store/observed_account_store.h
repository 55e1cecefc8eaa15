// An AccountStore that tells a listener about every transition it stored. It forwards every
// call to the store it wraps; after a SaveTransition succeeds, and only then, it calls the
// listener with the account before (null for a new payer), the account after and the events
// stored with it. A failed save is not reported. The listener runs on the thread that saved,
// possibly on several threads at once (the scheduler's workers), so it must be thread-safe; a
// transition is reported after it is durable, and transitions of one payer are reported in the
// order they were stored.
#pragma once

#include <functional>

#include "store/forwarding_account_store.h"

namespace recur {

class ObservedAccountStore final : public ForwardingAccountStore {
 public:
  using Listener = std::function<void(const Account* before, const Account& after,
                                      const std::vector<StoredEvent>& events)>;

  ObservedAccountStore(AccountStore& inner, Listener listener)
      : ForwardingAccountStore(inner), listener_(std::move(listener)) {}

  Status SaveTransition(const Account* before, const Account& after,
                        const std::vector<StoredEvent>& events,
                        const std::vector<DueWork>& scheduled,
                        const std::vector<DueWork>& completes_work) override {
    Status saved =
        ForwardingAccountStore::SaveTransition(before, after, events, scheduled, completes_work);
    if (saved) listener_(before, after, events);
    return saved;
  }

 private:
  Listener listener_;
};

}  // namespace recur
