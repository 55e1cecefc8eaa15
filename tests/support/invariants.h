// Checks of the invariants every payer's Account keeps through the subscription lifecycle, for
// tests: the lifecycle's unit tests run them after every step, and end-to-end tests can run
// them on the accounts they read back. Each check returns the broken rules as sentences
// (empty = all hold), so a test can print exactly what went wrong.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "domain/subscriptions/account.h"
#include "domain/subscriptions/lifecycle.h"

namespace recur {

// Field-by-field equality of two accounts (Account itself has no operator==).
bool SameAccount(const Account& a, const Account& b);

// What holds for any Account at rest: exactly one current item (active, past_due or canceled),
// at most one upcoming item, at most one item in a free trial and trial_used set when there is
// one, the timestamps each status implies, attempts that name existing items, and never two
// paid attempts for one item period.
std::vector<std::string> CheckAccountInvariants(const Account& account);

// Follows one payer through successful lifecycle steps, from its start (an Account with no
// items) on, and checks each step against the account before it. Besides the state checks
// above: events happen at the step's time, carry the snapshot their type calls for, tell
// every item or attempt change, and none comes twice for one subject; subscription status
// events follow the status; new attempts are pending and handed out as charges; settled
// attempts and ended or abandoned items never change again; scheduled work is for a live item
// and not already stale; trial_used and has_paid only ever turn
// on, and only when a trial starts or a charge succeeds; a second free trial or a second paid
// attempt for one item period is caught even when the store has dropped old attempts.
class LifecycleInvariants {
 public:
  std::vector<std::string> CheckStep(const Account& before, const Transition& transition,
                                     const Account& after, Instant now);

 private:
  std::set<std::string> trial_item_ids_;
  std::set<std::string> paid_attempt_ids_;
  std::set<std::pair<std::string, std::int64_t>> paid_periods_;  // (item id, period start ms)
};

}  // namespace recur
