#include "tests/support/invariants.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "base/find_by_id.h"
#include "domain/subscriptions/billing_event.h"
#include "domain/subscriptions/due_work.h"

namespace recur {
namespace {

bool IsFinal(ItemStatus status) {
  return status == ItemStatus::kEnded || status == ItemStatus::kAbandoned;
}

std::string Ms(Instant t) { return std::to_string(ToUnixMillis(t)); }

std::string Describe(const SubscriptionItem& item) {
  std::string text = "item " + item.id + " (" + item.plan_slug + ", " +
                     std::string(ItemStatusName(item.status)) +
                     (item.is_free_trial ? ", trial" : "") + ", period " + Ms(item.period_start);
  if (item.period_end) text += "-" + Ms(*item.period_end);
  return text + ")";
}

std::string Describe(const PaymentAttempt& attempt) {
  return "attempt " + attempt.id + " (item " + attempt.item_id + ", period " +
         Ms(attempt.period_start) + ", " + std::string(AttemptStatusName(attempt.status)) + ")";
}

std::string Describe(const DueWork& work) {
  return std::string(DueKindName(work.kind)) + " of item " + work.item_id + " due " +
         Ms(work.due_at);
}

std::string_view StatusOf(const std::vector<SubscriptionItem>& live) {
  const bool past_due = std::any_of(live.begin(), live.end(), [](const SubscriptionItem& item) {
    return item.status == ItemStatus::kPastDue;
  });
  return past_due ? "past_due" : "active";
}

void CheckEventSubjects(const BillingEvent& event, const Account& after,
                        std::vector<std::string>& problems) {
  const std::string name(EventTypeName(event.type));
  if (IsItemEvent(event.type)) {
    if (!event.item) {
      problems.push_back(name + " carries no item snapshot");
    } else if (after.FindItem(event.item->id) == nullptr) {
      problems.push_back(name + " is about " + event.item->id + ", which the account lacks");
    }
    if (event.attempt || !event.subscription.empty()) {
      problems.push_back(name + " carries a snapshot of another subject");
    }
  } else if (IsPaymentAttemptEvent(event.type)) {
    if (!event.attempt) {
      problems.push_back(name + " carries no attempt snapshot");
    } else if (FindById(after.attempts, event.attempt->id) == nullptr) {
      problems.push_back(name + " is about " + event.attempt->id + ", which the account lacks");
    }
    if (event.item || !event.subscription.empty()) {
      problems.push_back(name + " carries a snapshot of another subject");
    }
  } else if (IsSubscriptionEvent(event.type)) {
    if (event.subscription.empty()) {
      problems.push_back(name + " carries an empty subscription (no live items)");
    }
    const auto current =
        std::count_if(event.subscription.begin(), event.subscription.end(),
                      [](const auto& item) { return IsCurrentStatus(item.status); });
    const auto upcoming =
        std::count_if(event.subscription.begin(), event.subscription.end(),
                      [](const auto& item) { return item.status == ItemStatus::kUpcoming; });
    if (current != 1 || upcoming > 1) {
      problems.push_back(name + " shows " + std::to_string(current) + " current and " +
                         std::to_string(upcoming) + " upcoming items");
    }
    if (event.item || event.attempt) {
      problems.push_back(name + " carries a snapshot of another subject");
    }
  }
}

// subscription.created for a new payer; then .pastDue / .active when the status changes and
// .updated when it does not; the last one shows the status the step ends with.
void CheckSubscriptionStatusEvents(const Account& before, const Transition& transition,
                                   const Account& after, std::vector<std::string>& problems) {
  std::string_view status = SubscriptionStatusName(before);
  bool created = false;
  for (const BillingEvent& event : transition.events) {
    if (!IsSubscriptionEvent(event.type)) continue;
    const std::string_view shown = StatusOf(event.subscription);
    EventType expected = EventType::kSubscriptionUpdated;
    if (before.items.empty() && !created) {
      expected = EventType::kSubscriptionCreated;
      created = true;
    } else if (shown != status) {
      expected =
          shown == "past_due" ? EventType::kSubscriptionPastDue : EventType::kSubscriptionActive;
    }
    if (event.type != expected) {
      problems.push_back(std::string(EventTypeName(event.type)) + " where the status went from " +
                         std::string(status) + " to " + std::string(shown) + " calls for " +
                         std::string(EventTypeName(expected)));
    }
    status = shown;
  }
  if (before.items.empty() && !created)
    problems.push_back("a new payer without subscription.created");
  if (status != SubscriptionStatusName(after)) {
    problems.push_back("the subscription is " + std::string(SubscriptionStatusName(after)) +
                       " after the step, but its events last said " + std::string(status));
  }
}

void CheckItemChanges(const Account& before, const Transition& transition, const Account& after,
                      std::vector<std::string>& problems) {
  std::map<std::string, const SubscriptionItem*> last_snapshot;
  for (const BillingEvent& event : transition.events) {
    if (IsItemEvent(event.type) && event.item) last_snapshot[event.item->id] = &*event.item;
  }
  for (const SubscriptionItem& old : before.items) {
    const SubscriptionItem* now = after.FindItem(old.id);
    if (now == nullptr) {
      problems.push_back(Describe(old) + " disappeared");
    } else if (IsFinal(old.status) && !(*now == old)) {
      problems.push_back(Describe(old) + " changed after it was over; now " + Describe(*now));
    }
  }
  for (const SubscriptionItem& item : after.items) {
    const SubscriptionItem* old = before.FindItem(item.id);
    // The count of failed dunning retries is bookkeeping: a failed retry tells only through
    // its attempt.
    bool changed = old == nullptr && item.status != ItemStatus::kIncomplete;
    if (old != nullptr) {
      SubscriptionItem compared = *old;
      compared.dunning_retries = item.dunning_retries;
      changed = !(compared == item);
    }
    auto snapshot = last_snapshot.find(item.id);
    if (changed && snapshot == last_snapshot.end()) {
      problems.push_back(Describe(item) + " changed without an item event");
    } else if (snapshot != last_snapshot.end() && snapshot->second->status != item.status) {
      problems.push_back(Describe(item) + ": its last event shows it " +
                         std::string(ItemStatusName(snapshot->second->status)));
    }
  }
}

void CheckAttemptChanges(const Account& before, const Transition& transition, const Account& after,
                         std::vector<std::string>& problems) {
  auto has_event = [&](EventType type, std::string_view id) {
    return std::any_of(transition.events.begin(), transition.events.end(), [&](const auto& e) {
      return e.type == type && e.attempt && e.attempt->id == id;
    });
  };
  auto charged = [&](std::string_view id) {
    return std::find(transition.charges.begin(), transition.charges.end(), id) !=
           transition.charges.end();
  };
  for (const PaymentAttempt& old : before.attempts) {
    const PaymentAttempt* now = FindById(after.attempts, old.id);
    if (now == nullptr) continue;  // the store may drop settled attempts
    if (old.status != AttemptStatus::kPending && !(*now == old)) {
      problems.push_back(Describe(old) + " changed after it was settled; now " + Describe(*now));
    }
    if (old.status == AttemptStatus::kPending && now->status != AttemptStatus::kPending &&
        !has_event(EventType::kPaymentAttemptUpdated, now->id)) {
      problems.push_back(Describe(*now) + " was settled without paymentAttempt.updated");
    }
  }
  for (const PaymentAttempt& attempt : after.attempts) {
    if (FindById(before.attempts, attempt.id) != nullptr) continue;
    if (!has_event(EventType::kPaymentAttemptCreated, attempt.id)) {
      problems.push_back(Describe(attempt) + " was made without paymentAttempt.created");
    }
    if (attempt.status == AttemptStatus::kPending && !charged(attempt.id)) {
      problems.push_back(Describe(attempt) + " is pending but not among the charges");
    }
  }
  for (const std::string& id : transition.charges) {
    const PaymentAttempt* attempt = FindById(after.attempts, id);
    if (attempt == nullptr || attempt->status != AttemptStatus::kPending) {
      problems.push_back("charge " + id + " names no pending attempt");
    }
  }
}

void CheckScheduledWork(const Transition& transition, const Account& after, Instant now,
                        std::vector<std::string>& problems) {
  for (const DueWork& work : transition.scheduled) {
    const SubscriptionItem* item = after.FindItem(work.item_id);
    if (work.payer_id != after.payer.id) problems.push_back(Describe(work) + " for another payer");
    if (work.due_at < now) problems.push_back(Describe(work) + " is due before the step's time");
    if (item == nullptr) {
      problems.push_back(Describe(work) + " names a missing item");
      continue;
    }
    if (IsFinal(item->status)) {
      problems.push_back(Describe(work) + " is for an item that is over");
      continue;
    }
    std::optional<Instant> live;
    switch (work.kind) {
      case DueKind::kTrialEndingNotice:
      case DueKind::kTrialEnd:
        live = item->trial_end;
        break;
      case DueKind::kPeriodEnd:
        live = item->period_end;
        break;
      case DueKind::kDunningRetry:
        live = item->past_due_at;
        break;
    }
    if (live != work.reference) problems.push_back(Describe(work) + " is stale when scheduled");
  }
}

}  // namespace

bool SameAccount(const Account& a, const Account& b) {
  return a.payer == b.payer && a.payment_methods == b.payment_methods && a.items == b.items &&
         a.attempts == b.attempts;
}

std::vector<std::string> CheckAccountInvariants(const Account& account) {
  std::vector<std::string> problems;
  int current = 0;
  int upcoming = 0;
  int trials = 0;
  std::set<std::string> ids;
  for (const SubscriptionItem& item : account.items) {
    if (!ids.insert(item.id).second) problems.push_back("two items with id " + item.id);
    current += IsCurrentStatus(item.status) ? 1 : 0;
    upcoming += item.status == ItemStatus::kUpcoming ? 1 : 0;
    if (item.is_free_trial) {
      ++trials;
      if (!item.trial_end) problems.push_back(Describe(item) + " is a trial without trial_end");
    }
    if (item.status == ItemStatus::kEnded && !item.ended_at) {
      problems.push_back(Describe(item) + " has no ended_at");
    }
    if (item.status == ItemStatus::kCanceled && !item.canceled_at) {
      problems.push_back(Describe(item) + " has no canceled_at");
    }
    if (item.status == ItemStatus::kPastDue && !item.past_due_at) {
      problems.push_back(Describe(item) + " has no past_due_at");
    }
    if (IsCurrentStatus(item.status) && item.amount > 0) {
      if (!item.period_end || *item.period_end <= item.period_start) {
        problems.push_back(Describe(item) + " is paid but has no period after period_start");
      }
      if (item.is_free_trial && item.period_end != item.trial_end) {
        problems.push_back(Describe(item) + " is a trial whose period_end is not its trial_end");
      }
    }
  }
  if (current != 1) {
    std::string list;
    for (const SubscriptionItem& item : account.items) {
      if (IsCurrentStatus(item.status)) list += " " + Describe(item);
    }
    problems.push_back("the payer has " + std::to_string(current) + " current items:" + list);
  }
  if (upcoming > 1) problems.push_back(std::to_string(upcoming) + " upcoming items");
  if (trials > 1) problems.push_back(std::to_string(trials) + " items in a free trial");
  if (trials > 0 && !account.payer.trial_used) {
    problems.push_back("an item is in a free trial but trial_used is false");
  }
  if (account.payer.default_payment_method_id && account.DefaultPaymentMethod() == nullptr) {
    problems.push_back("the default payment method " + *account.payer.default_payment_method_id +
                       " does not exist");
  }
  std::set<std::pair<std::string, std::int64_t>> paid;
  for (const PaymentAttempt& attempt : account.attempts) {
    if (account.FindItem(attempt.item_id) == nullptr) {
      problems.push_back(Describe(attempt) + " names a missing item");
    }
    const bool is_paid = attempt.status == AttemptStatus::kPaid;
    const bool is_failed = attempt.status == AttemptStatus::kFailed;
    if (is_paid != attempt.paid_at.has_value() || is_failed != attempt.failed_at.has_value()) {
      problems.push_back(Describe(attempt) + " has paid_at/failed_at not matching its status");
    }
    if (is_paid) {
      if (!paid.insert({attempt.item_id, ToUnixMillis(attempt.period_start)}).second) {
        problems.push_back("two paid attempts for item " + attempt.item_id + " period " +
                           Ms(attempt.period_start));
      }
      if (!account.payer.has_paid) problems.push_back(Describe(attempt) + " but has_paid is false");
    }
  }
  return problems;
}

std::vector<std::string> LifecycleInvariants::CheckStep(const Account& before,
                                                        const Transition& transition,
                                                        const Account& after, Instant now) {
  std::vector<std::string> problems = CheckAccountInvariants(after);
  for (const BillingEvent& event : transition.events) {
    if (event.occurred_at != now) {
      problems.push_back(std::string(EventTypeName(event.type)) + " occurred at " +
                         Ms(event.occurred_at) + ", not at the step's time " + Ms(now));
    }
    CheckEventSubjects(event, after, problems);
  }
  // Every change is told once: no event type twice for one subject in one step.
  std::set<std::pair<EventType, std::string>> told;
  for (const BillingEvent& event : transition.events) {
    const std::string subject = event.item      ? event.item->id
                                : event.attempt ? event.attempt->id
                                                : after.payer.subscription_id;
    if (!told.insert({event.type, subject}).second) {
      problems.push_back(std::string(EventTypeName(event.type)) + " twice for " + subject);
    }
  }
  CheckSubscriptionStatusEvents(before, transition, after, problems);
  CheckItemChanges(before, transition, after, problems);
  CheckAttemptChanges(before, transition, after, problems);
  CheckScheduledWork(transition, after, now, problems);

  // A free trial at most once per payer, and trial_used says whether it happened.
  std::set<std::string> trials;
  for (const SubscriptionItem& item : after.items) {
    if (item.is_free_trial) trials.insert(item.id);
  }
  for (const BillingEvent& event : transition.events) {
    if (event.item && event.item->is_free_trial) trials.insert(event.item->id);
  }
  bool trial_started = false;
  for (const std::string& id : trials) {
    if (!trial_item_ids_.insert(id).second) continue;
    const SubscriptionItem* old = before.FindItem(id);
    if (old != nullptr && old->is_free_trial) continue;  // first seen mid-trial
    trial_started = true;
    if (before.payer.trial_used) problems.push_back("a second free trial: item " + id);
  }
  if (trial_item_ids_.size() > 1) {
    problems.push_back(std::to_string(trial_item_ids_.size()) + " items were ever in a trial");
  }
  if (before.payer.trial_used && !after.payer.trial_used) {
    problems.push_back("trial_used turned off");
  }
  if (!before.payer.trial_used && after.payer.trial_used && !trial_started) {
    problems.push_back("trial_used turned on without a trial starting");
  }
  if (trial_started && !after.payer.trial_used) {
    problems.push_back("a trial started but trial_used is false");
  }

  // has_paid only turns on, with a successful charge; one paid attempt per item period ever.
  bool newly_paid = false;
  for (const PaymentAttempt& attempt : after.attempts) {
    if (attempt.status != AttemptStatus::kPaid) continue;
    if (!paid_attempt_ids_.insert(attempt.id).second) continue;
    newly_paid = true;
    if (!paid_periods_.insert({attempt.item_id, ToUnixMillis(attempt.period_start)}).second) {
      problems.push_back("a second paid attempt for item " + attempt.item_id + " period " +
                         Ms(attempt.period_start) + ": " + attempt.id);
    }
  }
  if (before.payer.has_paid && !after.payer.has_paid) problems.push_back("has_paid turned off");
  if (!before.payer.has_paid && after.payer.has_paid && !newly_paid) {
    problems.push_back("has_paid turned on without a paid attempt");
  }
  return problems;
}

}  // namespace recur
