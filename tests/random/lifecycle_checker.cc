#include "tests/random/lifecycle_checker.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/find_by_id.h"
#include "services/entitlements/entitlement_cache.h"
#include "tests/support/invariants.h"

namespace recur::random_lifecycle {
namespace {

std::string Ms(Instant t) { return std::to_string(ToUnixMillis(t)); }

// Every element of a newest-first paged list, oldest first.
template <typename T, typename List>
Result<std::vector<T>> ReadAll(List&& list) {
  std::vector<T> all;
  ListOptions options{.limit = 100};
  for (;;) {
    Result<Page<T>> page = list(options);
    if (!page) return std::unexpected(page.error());
    all.insert(all.end(), page->data.begin(), page->data.end());
    if (!page->has_more || page->data.empty()) break;
    options.starting_after = page->data.back().id;
  }
  std::reverse(all.begin(), all.end());
  return all;
}

// The id of the subject an event's envelope carries.
std::string SubjectId(const StoredEvent& event) {
  const auto envelope = nlohmann::json::parse(event.body, nullptr, false);
  if (!envelope.is_object() || !envelope.contains("data") || !envelope["data"].is_object())
    return "";
  const auto& id = envelope["data"]["id"];
  return id.is_string() ? id.get<std::string>() : "";
}

}  // namespace

Result<std::vector<StoredEvent>> EventsOf(BillingService& billing, const std::string& payer_id) {
  return ReadAll<StoredEvent>(
      [&](const ListOptions& options) { return billing.ListEvents(payer_id, "", options); });
}

std::vector<Problem> LifecycleChecker::AfterStep(const ScenarioStep& step, bool refused,
                                                 const std::vector<std::string>& payer_ids) {
  std::vector<Problem> problems;
  CheckCommits(refused, problems);
  const Instant now = harness_.Now();
  // After an advance, nothing at or before the clock may wait; after any other step, work the
  // step made due at its own instant (a notice whose lead has passed) may wait for the next
  // advance, but nothing earlier.
  const Instant latest_waiting =
      step.kind == StepKind::kAdvance ? now : now - std::chrono::milliseconds(1);
  auto waiting = harness_.accounts().DueWorkUntil(latest_waiting, harness_.test_clock_id(), 10);
  if (!waiting) {
    problems.push_back({"read_failed", "due work: " + waiting.error().message});
  } else {
    for (const DueWork& work : *waiting) {
      problems.push_back({"due_work_in_the_past", std::string(DueKindName(work.kind)) + " of " +
                                                      work.item_id + " due at " + Ms(work.due_at) +
                                                      " still waits at " + Ms(now)});
    }
  }
  // Work that waits at the clock's instant (released by a checkout settled at it) runs at the
  // next advance; until then the item it is for may be past its trial's or period's end.
  items_with_work_now_.clear();
  auto due_now = harness_.accounts().DueWorkUntil(now, harness_.test_clock_id(), -1);
  if (!due_now) {
    problems.push_back({"read_failed", "due work: " + due_now.error().message});
  } else {
    for (const DueWork& work : *due_now) items_with_work_now_.insert(work.item_id);
  }
  for (const std::string& payer_id : payer_ids) CheckPayer(payer_id, now, problems);
  return problems;
}

void LifecycleChecker::CheckCommits(bool refused, std::vector<Problem>& problems) {
  for (const Commit& commit : harness_.TakeCommits()) {
    if (refused) {
      problems.push_back({"refused_step_stored",
                          "a refused step stored a transition of " + commit.after.payer.id});
    }
    std::set<std::string> told;
    std::optional<Instant> instant;
    for (const StoredEvent& event : commit.events) {
      told.insert(event.type + " " + SubjectId(event));
      // Pieces of due work may share a transaction, each at its own instant, in due order.
      if (instant && event.timestamp < *instant) {
        problems.push_back(
            {"events_of_one_transaction_out_of_order",
             event.type + " at " + Ms(event.timestamp) + " after one at " + Ms(*instant)});
      }
      instant = event.timestamp;
    }
    auto has_event = [&](std::string_view prefix, const std::string& id) {
      return std::any_of(told.begin(), told.end(), [&](const std::string& entry) {
        return entry.starts_with(prefix) && entry.ends_with(" " + id);
      });
    };
    const Account* before = commit.before ? &*commit.before : nullptr;
    CheckHandOver(before, commit.after, problems);
    for (const SubscriptionItem& item : commit.after.items) {
      const SubscriptionItem* old = before ? before->FindItem(item.id) : nullptr;
      const bool status_changed =
          old ? old->status != item.status : item.status != ItemStatus::kIncomplete;
      if (status_changed && !has_event("subscriptionItem.", item.id)) {
        problems.push_back({"change_without_event", item.id + " became " +
                                                        std::string(ItemStatusName(item.status)) +
                                                        " without a subscriptionItem event"});
      }
    }
    for (const PaymentAttempt& attempt : commit.after.attempts) {
      const PaymentAttempt* old = before ? FindById(before->attempts, attempt.id) : nullptr;
      if (old == nullptr && !has_event("paymentAttempt.created", attempt.id)) {
        problems.push_back(
            {"change_without_event", attempt.id + " was made without paymentAttempt.created"});
      }
      if (old != nullptr && old->status != attempt.status &&
          !has_event("paymentAttempt.updated", attempt.id)) {
        problems.push_back(
            {"change_without_event", attempt.id + " was settled without paymentAttempt.updated"});
      }
    }
  }
}

void LifecycleChecker::CheckHandOver(const Account* before, const Account& after,
                                     std::vector<Problem>& problems) {
  const SubscriptionItem* was = before ? before->CurrentItem() : nullptr;
  const SubscriptionItem* is = after.CurrentItem();
  if (was == nullptr || is == nullptr || was->id == is->id) return;
  const SubscriptionItem* ended = after.FindItem(was->id);
  if (ended == nullptr || ended->status != ItemStatus::kEnded || !ended->ended_at) {
    problems.push_back({"hand_over_gap", was->id + " gave way to " + is->id + " without ending"});
  } else if (*ended->ended_at != is->period_start) {
    problems.push_back({"hand_over_gap", was->id + " ended at " + Ms(*ended->ended_at) + " but " +
                                             is->id + " starts at " + Ms(is->period_start)});
  }
}

void LifecycleChecker::CheckPayer(const std::string& payer_id, Instant now,
                                  std::vector<Problem>& problems) {
  BillingService& billing = harness_.billing();
  auto account = billing.GetAccount(payer_id);
  if (!account) {
    problems.push_back({"read_failed", payer_id + ": " + account.error().message});
    return;
  }
  for (const std::string& broken : CheckAccountInvariants(*account)) {
    problems.push_back({"account", payer_id + ": " + broken});
  }
  for (const ExtraInvariant& invariant : extra_) {
    if (std::string broken = invariant.check(*account, now); !broken.empty()) {
      problems.push_back({invariant.rule, payer_id + ": " + broken});
    }
  }
  // A charge the gateway has not decided holds its item where it was (lifecycle.h), and a
  // checkout holds every item of the payer: their work waits for its outcome. So does work
  // released at the clock's instant, until the next advance.
  auto charging = [&](const std::string& item_id) {
    return account->HasPendingCheckout() || items_with_work_now_.contains(item_id) ||
           std::any_of(account->attempts.begin(), account->attempts.end(), [&](const auto& a) {
             return a.item_id == item_id && a.status == AttemptStatus::kPending;
           });
  };
  for (const SubscriptionItem& item : account->items) {
    if (item.amount < 0) {
      problems.push_back({"negative_amount", item.id + " costs " + std::to_string(item.amount)});
    }
    if (item.is_free_trial) {
      trial_items_.insert(item.id);
      if (done_trials_.contains(item.id)) {
        problems.push_back(
            {"trial_twice", item.id + " is a trial again after it converted or ended"});
      }
      if (IsCurrentStatus(item.status) && item.trial_end && *item.trial_end <= now &&
          !charging(item.id)) {
        problems.push_back({"trial_outlived_its_end", item.id + " is still a trial at " + Ms(now) +
                                                          ", its trial ended at " +
                                                          Ms(*item.trial_end)});
      }
    } else if (trial_items_.contains(item.id)) {
      done_trials_.insert(item.id);
    }
    if (!IsCurrentStatus(item.status) || item.is_free_trial || item.amount == 0) continue;
    if (item.status != ItemStatus::kPastDue && item.period_end && *item.period_end <= now &&
        !charging(item.id)) {
      problems.push_back({"period_ended_unnoticed",
                          item.id + " is " + std::string(ItemStatusName(item.status)) + " at " +
                              Ms(now) + " in a period that ended " + Ms(*item.period_end)});
    }
  }
  auto attempts = ReadAll<PaymentAttempt>(
      [&](const ListOptions& options) { return billing.ListPaymentAttempts(payer_id, options); });
  if (!attempts) {
    problems.push_back({"read_failed", payer_id + " attempts: " + attempts.error().message});
  } else {
    CheckAttempts(*account, *attempts, now, problems);
  }
  CheckEvents(payer_id, now, problems);
  CheckEntitlements(*account, problems);
}

void LifecycleChecker::CheckAttempts(const Account& account,
                                     const std::vector<PaymentAttempt>& attempts, Instant now,
                                     std::vector<Problem>& problems) {
  std::map<std::string, int> conversions;
  std::map<std::string, std::vector<const PaymentAttempt*>> paid;  // item -> its paid attempts
  for (const PaymentAttempt& attempt : attempts) {
    const SubscriptionItem* item = account.FindItem(attempt.item_id);
    if (attempt.amount < 0 || attempt.proration_credit < 0) {
      problems.push_back(
          {"negative_amount", attempt.id + " charges " + std::to_string(attempt.amount) +
                                  " with a credit of " + std::to_string(attempt.proration_credit)});
    }
    if (item != nullptr && attempt.amount > item->amount) {
      problems.push_back(
          {"charged_over_price", attempt.id + " charges " + std::to_string(attempt.amount) +
                                     " for " + item->id + " at " + std::to_string(item->amount)});
    }
    if (attempt.purpose == ChargePurpose::kTrialConversion && ++conversions[attempt.item_id] > 1) {
      problems.push_back(
          {"trial_converted_twice", attempt.item_id + " has two conversion charges"});
    }
    if (attempt.status == AttemptStatus::kPaid) paid[attempt.item_id].push_back(&attempt);
    if (auto [it, added] = attempt_keys_.emplace(attempt.idempotency_key, attempt.id);
        !added && it->second != attempt.id) {
      problems.push_back({"key_shared", attempt.id + " and " + it->second + " share the key " +
                                            attempt.idempotency_key});
    }
    if (attempt.status == AttemptStatus::kPending || attempt.gateway_charge_id.empty()) continue;
    std::optional<SandboxCharge> charge;
    Status read = harness_.ledger().Read([&](SandboxRecords& records) -> Status {
      auto found = records.FindCharge(attempt.idempotency_key);
      if (!found) return std::unexpected(found.error());
      charge = *found;
      return Ok();
    });
    if (!read) {
      problems.push_back({"read_failed", "the gateway's records: " + read.error().message});
    } else if (!charge || charge->charge_id != attempt.gateway_charge_id ||
               charge->attempt_id != attempt.id || charge->amount != attempt.amount) {
      problems.push_back(
          {"charge_not_the_attempts", attempt.id + " (" + attempt.gateway_charge_id +
                                          ") is not the gateway's charge under its key " +
                                          attempt.idempotency_key});
    }
  }
  for (auto& [item_id, periods] : paid) {
    std::sort(periods.begin(), periods.end(),
              [](const auto* a, const auto* b) { return a->period_start < b->period_start; });
    for (std::size_t i = 1; i < periods.size(); ++i) {
      if (periods[i - 1]->period_end != periods[i]->period_start) {
        problems.push_back({"paid_periods_not_contiguous",
                            item_id + " paid " + Ms(periods[i - 1]->period_start) + "-" +
                                Ms(periods[i - 1]->period_end) + " then " +
                                Ms(periods[i]->period_start) + "-" + Ms(periods[i]->period_end)});
      }
    }
  }
  for (const SubscriptionItem& item : account.items) {
    const bool must_have_paid =
        (item.status == ItemStatus::kActive || item.status == ItemStatus::kCanceled) &&
        !item.is_free_trial && item.amount > 0;
    if (!must_have_paid) continue;
    const auto& periods = paid[item.id];
    const bool paid_now = std::any_of(periods.begin(), periods.end(), [&](const auto* attempt) {
      return attempt->period_start == item.period_start && item.period_end &&
             attempt->period_end == *item.period_end;
    });
    const bool being_charged =
        std::any_of(attempts.begin(), attempts.end(), [&](const PaymentAttempt& attempt) {
          return attempt.item_id == item.id && attempt.status == AttemptStatus::kPending &&
                 attempt.period_start == item.period_start;
        });
    if (!paid_now && !being_charged) {
      problems.push_back({"unpaid_period", item.id + " is " +
                                               std::string(ItemStatusName(item.status)) +
                                               " in the unpaid period from " +
                                               Ms(item.period_start) + " at " + Ms(now)});
    }
  }
}

void LifecycleChecker::CheckEvents(const std::string& payer_id, Instant now,
                                   std::vector<Problem>& problems) {
  auto events = EventsOf(harness_.billing(), payer_id);
  if (!events) {
    problems.push_back({"read_failed", payer_id + " events: " + events.error().message});
    return;
  }
  std::vector<std::string>& known = event_ids_[payer_id];
  if (events->size() < known.size()) {
    problems.push_back({"events_lost", payer_id + " had " + std::to_string(known.size()) +
                                           " events, now " + std::to_string(events->size())});
  }
  for (std::size_t i = 0; i < events->size(); ++i) {
    const StoredEvent& event = (*events)[i];
    if (i < known.size() && known[i] != event.id) {
      problems.push_back({"events_rewritten", payer_id + "'s event " + std::to_string(i) + " was " +
                                                  known[i] + ", now " + event.id});
    }
    if (i > 0 && event.timestamp < (*events)[i - 1].timestamp) {
      problems.push_back({"events_out_of_order", event.id + " (" + event.type + ") at " +
                                                     Ms(event.timestamp) + " after one at " +
                                                     Ms((*events)[i - 1].timestamp)});
    }
    if (event.timestamp > now) {
      problems.push_back({"event_in_the_future", event.id + " at " + Ms(event.timestamp)});
    }
  }
  known.clear();
  for (const StoredEvent& event : *events) known.push_back(event.id);
}

void LifecycleChecker::CheckEntitlements(const Account& account, std::vector<Problem>& problems) {
  const SubscriptionItem* current = account.CurrentItem();
  if (current == nullptr) return;  // the account rules say so already
  BillingService& billing = harness_.billing();
  auto entry = billing.entitlements().Get(account.payer.id);
  const bool access = HasAccess(current->status, billing.options());
  if (!entry || entry->plan_slug != current->plan_slug || entry->has_access != access) {
    problems.push_back({"entitlements_stale", account.payer.id + " is on " + current->plan_slug +
                                                  " (" +
                                                  std::string(ItemStatusName(current->status)) +
                                                  ") but the entitlements say " +
                                                  (entry ? entry->plan_slug : "nothing")});
    return;
  }
  const Entitlements resolved = ResolveEntitlements(*billing.catalog(), *entry);
  if (access && resolved.plan_slug != current->plan_slug) {
    problems.push_back({"entitlements_stale", account.payer.id + " is on " + current->plan_slug +
                                                  " but gets the features of " +
                                                  resolved.plan_slug});
  }
}

}  // namespace recur::random_lifecycle
