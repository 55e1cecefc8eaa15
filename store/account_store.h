// Where payers' accounts, the event outbox and due work are kept. An account is read whole and
// written as the difference between the account read and the account after a transition,
// together with that transition's events and due work, in one transaction; the payer's version
// guards against a concurrent writer (the loser gets a conflict error and nothing is written).
// Implementations are safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "domain/subscriptions/account.h"
#include "domain/subscriptions/due_work.h"

namespace recur {

struct StoredEvent {
  std::string id;  // evt_...
  std::string type;
  std::string payer_id;
  Instant timestamp;
  std::string body;  // the envelope JSON, exactly as it will be delivered
};

template <typename T>
struct Page {
  std::vector<T> data;
  bool has_more = false;
};

struct ListOptions {
  int limit = 10;              // 1..100
  std::string starting_after;  // an id of the previous page's last element
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // The payer's account with all its items and payment methods and its pending attempts.
  virtual Result<std::optional<Account>> LoadAccount(const std::string& payer_id) = 0;
  virtual Result<std::optional<std::string>> FindPayerId(PayerType type,
                                                         const std::string& external_id) = 0;
  virtual Result<std::optional<std::string>> FindPayerIdOfItem(const std::string& item_id) = 0;

  // `before` is null for a new payer. Bumps the payer's version. Marks the due work of the ids
  // in `completes_work` done in the same transaction (after storing `scheduled`). Conflicts (a
  // concurrent writer, a taken external id, work already done) are kAlreadyExists errors.
  virtual Status SaveTransition(const Account* before, const Account& after,
                                const std::vector<StoredEvent>& events,
                                const std::vector<DueWork>& scheduled,
                                const std::vector<std::int64_t>& completes_work = {}) = 0;

  // Work not yet done that is due at or before `until`, for payers on the test clock
  // `clock_id` (none: payers on real time), oldest first (by due time, then creation).
  virtual Result<std::vector<DueWork>> DueWorkUntil(Instant until,
                                                    const std::optional<std::string>& clock_id,
                                                    int limit) = 0;

  // Newest first.
  virtual Result<Page<PaymentAttempt>> ListPaymentAttempts(const std::string& payer_id,
                                                           const ListOptions& options) = 0;
  virtual Result<Page<StoredEvent>> ListEvents(const std::string& payer_id, const std::string& type,
                                               const ListOptions& options) = 0;

  // For the entitlement cache: every payer's current item.
  struct CurrentPlan {
    std::string payer_id;
    PayerType payer_type;
    std::string external_id;
    std::string plan_slug;
    ItemStatus status;
  };
  virtual Result<std::vector<CurrentPlan>> ListCurrentPlans() = 0;
  // Payers with attempts still pending (after a crash between commit and gateway answer).
  virtual Result<std::vector<std::string>> PayersWithPendingAttempts() = 0;
};

}  // namespace recur
