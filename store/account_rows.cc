#include "store/account_rows.h"

#include <stdexcept>

namespace recur {

SqlValue MillisValue(Instant instant) { return static_cast<std::int64_t>(ToUnixMillis(instant)); }

SqlValue MillisValue(const std::optional<Instant>& instant) {
  return instant ? MillisValue(*instant) : SqlValue();
}

std::vector<Column> ItemColumns(const std::string& payer_id, const SubscriptionItem& item) {
  return {{"payer_id", payer_id},
          {"plan_slug", item.plan_slug},
          {"plan_version_id", item.plan_version_id},
          {"interval", std::string(IntervalName(item.interval))},
          {"status", std::string(ItemStatusName(item.status))},
          {"is_free_trial", std::int64_t{item.is_free_trial ? 1 : 0}},
          {"amount", item.amount},
          {"currency", item.currency},
          {"created_at", MillisValue(item.created_at)},
          {"anchor", MillisValue(item.anchor)},
          {"period_start", MillisValue(item.period_start)},
          {"period_end", MillisValue(item.period_end)},
          {"trial_end", MillisValue(item.trial_end)},
          {"canceled_at", MillisValue(item.canceled_at)},
          {"ended_at", MillisValue(item.ended_at)},
          {"past_due_at", MillisValue(item.past_due_at)},
          {"dunning_retries", std::int64_t{item.dunning_retries}}};
}

std::vector<Column> AttemptColumns(const std::string& payer_id, const PaymentAttempt& attempt) {
  return {{"payer_id", payer_id},
          {"item_id", attempt.item_id},
          {"purpose", std::string(ChargePurposeName(attempt.purpose))},
          {"status", std::string(AttemptStatusName(attempt.status))},
          {"amount", attempt.amount},
          {"currency", attempt.currency},
          {"proration_credit", attempt.proration_credit},
          {"payment_method_id", attempt.payment_method_id},
          {"period_start", MillisValue(attempt.period_start)},
          {"period_end", MillisValue(attempt.period_end)},
          {"idempotency_key", attempt.idempotency_key},
          {"gateway_charge_id", attempt.gateway_charge_id},
          {"failed_reason", attempt.failed_reason},
          {"created_at", MillisValue(attempt.created_at)},
          {"updated_at", MillisValue(attempt.updated_at)},
          {"paid_at", MillisValue(attempt.paid_at)},
          {"failed_at", MillisValue(attempt.failed_at)},
          {"failed_code", attempt.failed_code},
          {"statement_id", attempt.statement_id},
          {"credited_period_start", MillisValue(attempt.credited_period_start)},
          {"credited_period_end", MillisValue(attempt.credited_period_end)}};
}

std::vector<const Column*> ChangedColumns(const std::vector<Column>& before,
                                          const std::vector<Column>& after) {
  if (before.size() != after.size()) {
    throw std::runtime_error("the rows to compare name different columns");
  }
  std::vector<const Column*> changed;
  for (std::size_t i = 0; i < after.size(); ++i) {
    if (before[i].name != after[i].name) {
      throw std::runtime_error("the rows to compare name different columns");
    }
    if (before[i].value != after[i].value) changed.push_back(&after[i]);
  }
  return changed;
}

}  // namespace recur
