// Counts what a cohort's engine did, from each stored transition (the account before and after,
// and its events; see observed_account_store.h): trials started and converted (the first paid
// period after the trial was paid, at the conversion or by a dunning retry), payers trialing
// and paying now, monthly recurring revenue now, revenue collected so far, voluntary and
// involuntary churn, events made. It also notes the payers whose item just went past due, for
// the simulation to decide whether they recover. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "simulate/cohort_report.h"
#include "store/account_store.h"

namespace recur {

struct PastDue {
  std::int64_t payer = 0;  // the cohort's payer number (external id "p<number>")
  Instant since;
};

class CohortMetrics {
 public:
  void Observe(const Account* before, const Account& after, const std::vector<StoredEvent>& events);

  // The figures now, as the state at the end of `day`.
  CohortDay Snapshot(int day) const;
  // Totals into `result` (its days are left alone).
  void Fill(CohortDesignResult& result) const;
  // Payers that went past due since the last call, in the order noted.
  std::vector<PastDue> TakePastDue();

  // The cohort's payer number of an external id "p<number>"; -1 for any other.
  static std::int64_t PayerNumber(const std::string& external_id);

 private:
  mutable std::mutex mutex_;
  std::int64_t trials_started_ = 0;
  std::int64_t trials_converted_ = 0;
  std::int64_t voluntary_churn_ = 0;
  std::int64_t involuntary_churn_ = 0;
  std::int64_t events_ = 0;
  std::int64_t transitions_ = 0;
  std::int64_t trialing_ = 0;
  std::int64_t paying_ = 0;
  std::int64_t mrr_ = 0;
  std::int64_t revenue_ = 0;
  std::vector<PastDue> past_due_;
};

}  // namespace recur
