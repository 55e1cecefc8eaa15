// The invariants of the subscription lifecycle, checked after every step of a random sequence
// against what the engine answers through its public interfaces: the billing service (accounts,
// payment attempts, events, the entitlement cache), the account store's due work and the
// sandbox gateway's records. What holds after every step:
//  - the account rules of tests/support/invariants.h: one current item, at most one upcoming
//    item (so at most one live item per plan slot), one trial at most, the dates each status
//    implies, never two paid attempts for one item period;
//  - amounts are whole minor units and never negative; an attempt never charges more than its
//    item's price;
//  - a trial converts or ends exactly once: at most one conversion charge per item, a trial
//    never outlives its trial_end while no charge for it (nor checkout) is pending, nor its end
//    waits at the clock's instant, and an item that stopped
//    being a trial never is one again;
//  - the current item hands over to the next without a gap or an overlap (the one before ends
//    at the instant the next starts);
//  - an item's paid periods follow each other without a gap or an overlap; an active or
//    canceled paid item has paid for the period it is in (or its charge is pending), and that
//    period has not ended unless its next charge is pending, or a checkout of the payer is
//    (its work waits for the outcome), or the work for its end was released at the clock's
//    instant by a checkout settled then and waits for the next advance;
//  - no due work is left in the past (nothing at or before the clock after an advance, but the
//    work of a payer whose checkout is pending, which waits for it);
//  - events are stored in time order and never rewritten; every item and attempt a stored
//    transition changed has its event in that transition, in time order;
//  - a refused step stores nothing;
//  - entitlements follow the current item;
//  - every settled charge is the gateway's one charge under the attempt's own key, of the
//    attempt's amount, and no two attempts share a key.
// Extra invariants can be added for one test (a seam to plant a rule that must break, to see
// the shrinker at work). Not thread-safe.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/random/lifecycle_harness.h"

namespace recur::random_lifecycle {

struct Problem {
  std::string rule;     // a short name, the same for every breach of one rule
  std::string message;  // what exactly broke, with ids
};

// An invariant added for a test: the problem's message, or empty when it holds.
struct ExtraInvariant {
  std::string rule;
  std::function<std::string(const Account& account, Instant now)> check;
};

// Every event of the payer, oldest first, read page by page through the billing service.
Result<std::vector<StoredEvent>> EventsOf(BillingService& billing, const std::string& payer_id);

class LifecycleChecker {
 public:
  LifecycleChecker(LifecycleHarness& harness, std::vector<ExtraInvariant> extra = {})
      : harness_(harness), extra_(std::move(extra)) {}

  // Checks the state after `step`, which the engine refused or took, for the payers named.
  std::vector<Problem> AfterStep(const ScenarioStep& step, bool refused,
                                 const std::vector<std::string>& payer_ids);

 private:
  void CheckCommits(bool refused, std::vector<Problem>& problems);
  // When a transition moves the payer to another current item, the one before ends at the
  // instant the new one starts: no time without a plan, none with two.
  void CheckHandOver(const Account* before, const Account& after, std::vector<Problem>& problems);
  void CheckPayer(const std::string& payer_id, Instant now, std::vector<Problem>& problems);
  void CheckAttempts(const Account& account, const std::vector<PaymentAttempt>& attempts,
                     Instant now, std::vector<Problem>& problems);
  void CheckEvents(const std::string& payer_id, Instant now, std::vector<Problem>& problems);
  void CheckEntitlements(const Account& account, std::vector<Problem>& problems);

  LifecycleHarness& harness_;
  std::vector<ExtraInvariant> extra_;
  std::set<std::string> trial_items_;                          // items seen in a trial
  std::set<std::string> done_trials_;                          // items seen in a trial and then not
  std::map<std::string, std::string> attempt_keys_;            // idempotency key -> attempt id
  std::map<std::string, std::vector<std::string>> event_ids_;  // payer -> ids, oldest first
  std::set<std::string> items_with_work_now_;                  // due at or before the clock
};

}  // namespace recur::random_lifecycle
