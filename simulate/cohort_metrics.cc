#include "simulate/cohort_metrics.h"

#include <charconv>

#include "base/find_by_id.h"

namespace recur {
namespace {

// What one payer adds to the figures of the moment.
struct Standing {
  bool trialing = false;
  bool paying = false;
  std::int64_t mrr = 0;
};

Standing StandingOf(const Account* account) {
  Standing standing;
  const SubscriptionItem* current = account != nullptr ? account->CurrentItem() : nullptr;
  if (current == nullptr) return standing;
  if (current->is_free_trial) {
    standing.trialing = true;
  } else if (current->amount > 0) {
    standing.paying = true;
    standing.mrr =
        current->interval == BillingInterval::kAnnual ? current->amount / 12 : current->amount;
  }
  return standing;
}

}  // namespace

std::int64_t CohortMetrics::PayerNumber(const std::string& external_id) {
  if (external_id.size() < 2 || external_id[0] != 'p') return -1;
  std::int64_t number = -1;
  auto [end, error] =
      std::from_chars(external_id.data() + 1, external_id.data() + external_id.size(), number);
  if (error != std::errc() || end != external_id.data() + external_id.size()) return -1;
  return number;
}

void CohortMetrics::Observe(const Account* before, const Account& after,
                            const std::vector<StoredEvent>& events) {
  const Standing was = StandingOf(before);
  const Standing is = StandingOf(&after);
  const std::vector<SubscriptionItem> no_items;
  const std::vector<PaymentAttempt> no_attempts;
  const auto& items_before = before != nullptr ? before->items : no_items;
  const auto& attempts_before = before != nullptr ? before->attempts : no_attempts;

  std::lock_guard lock(mutex_);
  ++transitions_;
  events_ += static_cast<std::int64_t>(events.size());
  trialing_ += static_cast<int>(is.trialing) - static_cast<int>(was.trialing);
  paying_ += static_cast<int>(is.paying) - static_cast<int>(was.paying);
  mrr_ += is.mrr - was.mrr;
  for (const SubscriptionItem& item : after.items) {
    const SubscriptionItem* old = FindById(items_before, item.id);
    if (old == nullptr) {
      if (item.is_free_trial) ++trials_started_;
      continue;
    }
    if (old->status == item.status) continue;
    if (item.status == ItemStatus::kPastDue) {
      past_due_.push_back(
          {PayerNumber(after.payer.external_id), item.past_due_at.value_or(Instant{})});
    } else if (item.status == ItemStatus::kEnded && old->status == ItemStatus::kPastDue) {
      ++involuntary_churn_;
    } else if (item.status == ItemStatus::kEnded && old->status == ItemStatus::kCanceled &&
               !item.is_free_trial) {
      ++voluntary_churn_;
    }
  }
  for (const PaymentAttempt& attempt : after.attempts) {
    if (attempt.status != AttemptStatus::kPaid) continue;
    const PaymentAttempt* old = FindById(attempts_before, attempt.id);
    if (old != nullptr && old->status == AttemptStatus::kPaid) continue;
    revenue_ += attempt.amount;
    // A conversion charge, or a retry of it in dunning: the first paid period after a trial.
    const SubscriptionItem* item = FindById(after.items, attempt.item_id);
    const bool after_trial = item != nullptr && item->trial_end == attempt.period_start;
    if (attempt.purpose == ChargePurpose::kTrialConversion ||
        (attempt.purpose == ChargePurpose::kDunningRetry && after_trial)) {
      ++trials_converted_;
    }
  }
}

CohortDay CohortMetrics::Snapshot(int day) const {
  std::lock_guard lock(mutex_);
  return CohortDay{day, trialing_, paying_, mrr_, revenue_};
}

void CohortMetrics::Fill(CohortDesignResult& result) const {
  std::lock_guard lock(mutex_);
  result.trials_started = trials_started_;
  result.trials_converted = trials_converted_;
  result.voluntary_churn = voluntary_churn_;
  result.involuntary_churn = involuntary_churn_;
  result.events = events_;
  result.transitions = transitions_;
}

std::vector<PastDue> CohortMetrics::TakePastDue() {
  std::lock_guard lock(mutex_);
  return std::exchange(past_due_, {});
}

}  // namespace recur
