#include "store/memory/memory_account_store.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <string_view>

#include "store/stored_account.h"

namespace recur {
namespace {

constexpr std::size_t kNew = std::numeric_limits<std::size_t>::max();

// Failures read as SqliteStore's do, with the text SQLite gives the same constraint.
std::unexpected<Error> Conflict(std::string_view unique_key) {
  return MakeError(ErrorKind::kAlreadyExists, "conflict",
                   "the change conflicts with stored data: UNIQUE constraint failed: " +
                       std::string(unique_key));
}

std::unexpected<Error> SaveFailure(const std::string& payer_id, std::string_view what) {
  return MakeError(ErrorKind::kUnavailable, "storage_error",
                   "saving payer " + payer_id + " failed: " + std::string(what));
}

constexpr std::string_view kAmountCheck = "CHECK constraint failed: amount >= 0";
constexpr std::string_view kForeignKey = "FOREIGN KEY constraint failed";

std::unexpected<Error> UnknownStartingAfter(const std::string& id) {
  return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                   "starting_after " + id + " names no element of this list", "starting_after");
}

int ClampLimit(int limit) { return std::clamp(limit, 1, 100); }

bool IsCurrent(ItemStatus status) {
  return status == ItemStatus::kActive || status == ItemStatus::kPastDue ||
         status == ItemStatus::kCanceled;
}

// Items leaving a unique status (current, upcoming) are written before items entering one.
bool LeavesUniqueStatus(const SubscriptionItem& item) {
  return item.status == ItemStatus::kEnded || item.status == ItemStatus::kAbandoned ||
         item.status == ItemStatus::kIncomplete;
}

// SqliteStore's partial unique indexes: one current and at most one upcoming item per payer.
bool HasTwoCurrentOrUpcoming(const std::vector<ItemStatus>& statuses) {
  return std::ranges::count_if(statuses, IsCurrent) > 1 ||
         std::ranges::count(statuses, ItemStatus::kUpcoming) > 1;
}

template <typename T>
const T* FindById(const std::vector<T>& list, const std::string& id) {
  auto it = std::ranges::find(list, id, &T::id);
  return it == list.end() ? nullptr : &*it;
}

bool Contains(const std::vector<const std::string*>& ids, const std::string& id) {
  return std::ranges::any_of(ids, [&](const std::string* x) { return *x == id; });
}

std::string ExternalKey(PayerType type, const std::string& external_id) {
  return std::string(PayerTypeName(type)) + '\n' + external_id;
}

std::string PaidPeriodKey(const PaymentAttempt& attempt) {
  return attempt.item_id + '\n' + std::to_string(ToUnixMillis(attempt.period_start));
}

// The keys of a unique index as one transition's writes so far leave them: the stored keys,
// less those the writes gave up, plus those they took.
template <typename Stored>
class StagedKeys {
 public:
  explicit StagedKeys(const Stored& stored) : stored_(stored) {}

  bool Taken(const std::string& key) const {
    if (std::ranges::find(added_, key) != added_.end()) return true;
    return stored_.contains(key) && std::ranges::find(removed_, key) == removed_.end();
  }
  void Add(const std::string& key) {
    if (auto it = std::ranges::find(removed_, key); it != removed_.end()) {
      removed_.erase(it);
    } else {
      added_.push_back(key);
    }
  }
  void Remove(const std::string& key) {
    if (auto it = std::ranges::find(added_, key); it != added_.end()) {
      added_.erase(it);
    } else {
      removed_.push_back(key);
    }
  }

 private:
  const Stored& stored_;
  std::vector<std::string> added_;
  std::vector<std::string> removed_;
};

}  // namespace

// The writes of a SaveTransition, checked against the stored state in SqliteStore's order.
// An index is a position in the payer's stored list; kNew appends.
struct MemoryAccountStore::Plan {
  PayerRecord* payer = nullptr;  // none: a new payer
  std::vector<const PaymentMethod*> new_methods;
  std::vector<std::pair<std::size_t, const SubscriptionItem*>> item_writes;
  std::vector<std::pair<std::size_t, const PaymentAttempt*>> attempt_writes;
};

MemoryAccountStore::MemoryAccountStore(MemoryAccountStoreOptions options) : options_(options) {}

MemoryAccountStore::~MemoryAccountStore() = default;

Result<std::optional<Account>> MemoryAccountStore::LoadAccount(const std::string& payer_id) {
  std::shared_lock lock(mutex_);
  auto found = payers_.find(payer_id);
  if (found == payers_.end()) return std::optional<Account>();
  const PayerRecord& record = found->second;
  Account account;
  account.payer = record.payer;
  account.payment_methods = record.payment_methods;
  account.items = record.items;
  for (const StoredAttempt& stored : record.attempts) {
    if (stored.attempt.status == AttemptStatus::kPending)
      account.attempts.push_back(stored.attempt);
  }
  SortAsLoaded(account);
  return std::optional<Account>(std::move(account));
}

Result<std::optional<std::string>> MemoryAccountStore::FindPayerId(PayerType type,
                                                                   const std::string& external_id) {
  std::shared_lock lock(mutex_);
  auto found = payers_by_external_id_.find(ExternalKey(type, external_id));
  if (found == payers_by_external_id_.end()) return std::optional<std::string>();
  return std::optional<std::string>(found->second->payer.id);
}

Result<std::optional<std::string>> MemoryAccountStore::FindPayerIdOfItem(
    const std::string& item_id) {
  std::shared_lock lock(mutex_);
  auto found = item_payers_.find(item_id);
  if (found == item_payers_.end()) return std::optional<std::string>();
  return std::optional<std::string>(found->second->payer.id);
}

Status MemoryAccountStore::SaveTransition(const Account* before, const Account& after,
                                          const std::vector<StoredEvent>& events,
                                          const std::vector<DueWork>& scheduled,
                                          const std::vector<std::int64_t>& completes_work) {
  std::unique_lock lock(mutex_);
  auto plan = Validate(before, after, events, scheduled, completes_work);
  if (!plan) return std::unexpected(plan.error());
  Apply(*plan, after, events, scheduled, completes_work);
  return Ok();
}

Result<MemoryAccountStore::Plan> MemoryAccountStore::Validate(
    const Account* before, const Account& after, const std::vector<StoredEvent>& events,
    const std::vector<DueWork>& scheduled, const std::vector<std::int64_t>& completes_work) {
  const std::string& payer_id = after.payer.id;
  Plan plan;

  if (before == nullptr) {
    if (payers_.contains(payer_id)) return Conflict("payers.id");
    if (subscription_ids_.contains(after.payer.subscription_id)) {
      return Conflict("payers.subscription_id");
    }
    if (payers_by_external_id_.contains(ExternalKey(after.payer.type, after.payer.external_id))) {
      return Conflict("payers.type, payers.external_id");
    }
  } else {
    auto found = payers_.find(payer_id);
    if (found == payers_.end() || found->second.payer.version != before->payer.version) {
      return MakeError(ErrorKind::kAlreadyExists, "concurrent_change",
                       "payer " + payer_id + " was changed by another request; retry");
    }
    plan.payer = &found->second;
  }

  // Payment methods are only ever added.
  for (const PaymentMethod& method : after.payment_methods) {
    if (before != nullptr && FindById(before->payment_methods, method.id) != nullptr) continue;
    if (payment_method_ids_.contains(method.id) ||
        std::ranges::any_of(plan.new_methods,
                            [&](const PaymentMethod* m) { return m->id == method.id; })) {
      return Conflict("payment_methods.id");
    }
    plan.new_methods.push_back(&method);
  }

  // Items that are new or differ from `before`, those leaving a unique status first; the
  // payer's statuses are checked after each write, as SQLite checks each statement.
  std::vector<const SubscriptionItem*> changed;
  for (const SubscriptionItem& item : after.items) {
    const SubscriptionItem* old = before == nullptr ? nullptr : FindById(before->items, item.id);
    if (old == nullptr || *old != item) changed.push_back(&item);
  }
  std::stable_partition(changed.begin(), changed.end(),
                        [](const SubscriptionItem* item) { return LeavesUniqueStatus(*item); });
  std::vector<ItemStatus> statuses;
  if (plan.payer != nullptr) {
    for (const SubscriptionItem& item : plan.payer->items) statuses.push_back(item.status);
  }
  std::vector<const std::string*> new_item_ids;
  for (const SubscriptionItem* item : changed) {
    const bool is_new = before == nullptr || FindById(before->items, item->id) == nullptr;
    std::size_t index = kNew;
    if (!is_new) {
      auto& stored = plan.payer->items;
      auto it = std::ranges::find(stored, item->id, &SubscriptionItem::id);
      if (it == stored.end()) continue;  // an update of no stored row changes nothing
      index = static_cast<std::size_t>(it - stored.begin());
    }
    if (item->amount < 0) return SaveFailure(payer_id, kAmountCheck);
    if (is_new) {
      statuses.push_back(item->status);
    } else {
      statuses[index] = item->status;
    }
    if (HasTwoCurrentOrUpcoming(statuses)) return Conflict("subscription_items.payer_id");
    if (is_new) {
      if (item_payers_.contains(item->id) || Contains(new_item_ids, item->id)) {
        return Conflict("subscription_items.id");
      }
      new_item_ids.push_back(&item->id);
    }
    plan.item_writes.emplace_back(index, item);
  }

  // Attempts that are new or differ from `before`, in their order.
  StagedKeys idempotency_keys(idempotency_keys_);
  StagedKeys paid_periods(paid_periods_);
  std::vector<const std::string*> new_attempt_ids;
  for (const PaymentAttempt& attempt : after.attempts) {
    const PaymentAttempt* old =
        before == nullptr ? nullptr : FindById(before->attempts, attempt.id);
    if (old != nullptr && *old == attempt) continue;
    std::size_t index = kNew;
    const PaymentAttempt* current = nullptr;  // the stored row as the writes so far leave it
    if (old != nullptr) {
      auto ref = attempts_by_id_.find(attempt.id);
      if (ref == attempts_by_id_.end() || ref->second.payer != plan.payer) continue;
      auto& stored = plan.payer->attempts;
      auto it = std::ranges::lower_bound(stored, ref->second.seq, {}, &StoredAttempt::seq);
      index = static_cast<std::size_t>(it - stored.begin());
      current = &it->attempt;
      for (const auto& [written, value] : plan.attempt_writes) {
        if (written == index) current = value;
      }
    }
    if (attempt.amount < 0) return SaveFailure(payer_id, kAmountCheck);
    if (current == nullptr) {
      if (attempts_by_id_.contains(attempt.id) || Contains(new_attempt_ids, attempt.id)) {
        return Conflict("payment_attempts.id");
      }
    } else {
      idempotency_keys.Remove(current->idempotency_key);
      if (current->status == AttemptStatus::kPaid) paid_periods.Remove(PaidPeriodKey(*current));
    }
    if (idempotency_keys.Taken(attempt.idempotency_key)) {
      return Conflict("payment_attempts.idempotency_key");
    }
    idempotency_keys.Add(attempt.idempotency_key);
    if (attempt.status == AttemptStatus::kPaid) {
      const std::string period = PaidPeriodKey(attempt);
      if (paid_periods.Taken(period)) {
        return Conflict("payment_attempts.item_id, payment_attempts.period_start");
      }
      paid_periods.Add(period);
    }
    if (!item_payers_.contains(attempt.item_id) && !Contains(new_item_ids, attempt.item_id)) {
      return SaveFailure(payer_id, kForeignKey);
    }
    if (current == nullptr) new_attempt_ids.push_back(&attempt.id);
    plan.attempt_writes.emplace_back(index, &attempt);
  }

  std::vector<const std::string*> new_event_ids;
  for (const StoredEvent& event : events) {
    if ((options_.keep_events && event_seq_by_id_.contains(event.id)) ||
        Contains(new_event_ids, event.id)) {
      return Conflict("events.id");
    }
    new_event_ids.push_back(&event.id);
  }

  for (const DueWork& work : scheduled) {
    if (!payers_.contains(work.payer_id) && !(before == nullptr && work.payer_id == payer_id)) {
      return SaveFailure(payer_id, kForeignKey);
    }
  }

  // Marked done after the new work is stored, so it may name a piece of that work. A piece
  // named twice is done already the second time.
  for (auto id = completes_work.begin(); id != completes_work.end(); ++id) {
    const bool stored_now =
        *id >= next_work_id_ && *id < next_work_id_ + static_cast<std::int64_t>(scheduled.size());
    if ((!pending_work_.contains(*id) && !stored_now) ||
        std::find(completes_work.begin(), id, *id) != id) {
      return MakeError(ErrorKind::kAlreadyExists, "work_already_done",
                       "due work " + std::to_string(*id) + " was done already");
    }
  }
  return plan;
}

// Everything was checked, so nothing here can fail but an allocation, which ends the process
// (noexcept) rather than leave half a transition stored.
void MemoryAccountStore::Apply(Plan& plan, const Account& after,
                               const std::vector<StoredEvent>& events,
                               const std::vector<DueWork>& scheduled,
                               const std::vector<std::int64_t>& completes_work) noexcept {
  PayerRecord* record = plan.payer;
  if (record == nullptr) {
    record = &payers_[after.payer.id];
    record->payer = after.payer;
    record->payer.version = 1;
    payers_by_external_id_.emplace(ExternalKey(after.payer.type, after.payer.external_id), record);
    subscription_ids_.insert(after.payer.subscription_id);
  } else {
    // What an update may change; the rest of a payer is fixed at its creation.
    Payer& payer = record->payer;
    payer.email = after.payer.email;
    payer.name = after.payer.name;
    payer.trial_used = after.payer.trial_used;
    payer.has_paid = after.payer.has_paid;
    payer.default_payment_method_id = after.payer.default_payment_method_id;
    ++payer.version;
  }

  for (const PaymentMethod* method : plan.new_methods) {
    record->payment_methods.push_back(*method);
    payment_method_ids_.insert(method->id);
  }

  for (const auto& [index, item] : plan.item_writes) {
    if (index == kNew) {
      record->items.push_back(*item);
      item_payers_.emplace(item->id, record);
    } else {
      record->items[index] = *item;
    }
  }

  for (const auto& [index, attempt] : plan.attempt_writes) {
    if (index == kNew) {
      const std::uint64_t seq = next_attempt_seq_++;
      record->attempts.push_back({seq, *attempt});
      attempts_by_id_.emplace(attempt->id, AttemptRef{record, seq});
    } else {
      PaymentAttempt& stored = record->attempts[index].attempt;
      idempotency_keys_.erase(stored.idempotency_key);
      if (stored.status == AttemptStatus::kPaid) paid_periods_.erase(PaidPeriodKey(stored));
      stored = *attempt;
    }
    idempotency_keys_.insert(attempt->idempotency_key);
    if (attempt->status == AttemptStatus::kPaid) paid_periods_.insert(PaidPeriodKey(*attempt));
  }
  if (!options_.keep_settled_attempts) {
    std::erase_if(record->attempts, [&](const StoredAttempt& stored) {
      if (stored.attempt.status == AttemptStatus::kPending) return false;
      attempts_by_id_.erase(stored.attempt.id);
      idempotency_keys_.erase(stored.attempt.idempotency_key);
      paid_periods_.erase(PaidPeriodKey(stored.attempt));
      return true;
    });
  }

  if (options_.keep_events) {
    for (const StoredEvent& event : events) {
      const std::size_t seq = events_.size();
      events_.push_back(event);
      event_seq_by_id_.emplace(event.id, seq);
      event_seqs_by_payer_[event.payer_id].push_back(seq);
      event_seqs_by_type_[event.type].push_back(seq);
    }
  }

  for (const DueWork& work : scheduled) {
    const std::int64_t id = next_work_id_++;
    PendingWork& pending = pending_work_[id];
    pending.work = work;
    pending.work.id = id;
    pending.clock_id = after.payer.test_clock_id;
    due_queues_[pending.clock_id].emplace(work.due_at, id);
  }

  for (const std::int64_t id : completes_work) {
    auto done = pending_work_.find(id);
    auto queue = due_queues_.find(done->second.clock_id);
    queue->second.erase({done->second.work.due_at, id});
    if (queue->second.empty()) due_queues_.erase(queue);
    pending_work_.erase(done);
  }
}

Result<std::vector<DueWork>> MemoryAccountStore::DueWorkUntil(
    Instant until, const std::optional<std::string>& clock_id, int limit) {
  std::shared_lock lock(mutex_);
  std::vector<DueWork> work;
  auto queue = due_queues_.find(clock_id);
  if (queue == due_queues_.end()) return work;
  // As SQL's LIMIT: a negative limit is none.
  const std::size_t most =
      limit < 0 ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(limit);
  for (const auto& [due_at, id] : queue->second) {
    if (due_at > until || work.size() >= most) break;
    work.push_back(pending_work_.at(id).work);
  }
  return work;
}

Result<Page<PaymentAttempt>> MemoryAccountStore::ListPaymentAttempts(const std::string& payer_id,
                                                                     const ListOptions& options) {
  std::shared_lock lock(mutex_);
  // Attempts created before this sequence number, newest first.
  std::uint64_t before_seq = std::numeric_limits<std::uint64_t>::max();
  if (!options.starting_after.empty()) {
    auto cursor = attempts_by_id_.find(options.starting_after);
    if (cursor == attempts_by_id_.end()) return UnknownStartingAfter(options.starting_after);
    before_seq = cursor->second.seq;
  }
  const std::size_t limit = static_cast<std::size_t>(ClampLimit(options.limit));
  Page<PaymentAttempt> page;
  auto found = payers_.find(payer_id);
  if (found == payers_.end()) return page;
  const std::vector<StoredAttempt>& attempts = found->second.attempts;
  auto it = std::ranges::lower_bound(attempts, before_seq, {}, &StoredAttempt::seq);
  while (it != attempts.begin() && page.data.size() <= limit) page.data.push_back((--it)->attempt);
  page.has_more = page.data.size() > limit;
  if (page.has_more) page.data.pop_back();
  return page;
}

Result<Page<StoredEvent>> MemoryAccountStore::ListEvents(const std::string& payer_id,
                                                         const std::string& type,
                                                         const ListOptions& options) {
  std::shared_lock lock(mutex_);
  // Events stored before this sequence number, newest first.
  std::size_t before_seq = events_.size();
  if (!options.starting_after.empty()) {
    auto cursor = event_seq_by_id_.find(options.starting_after);
    if (cursor == event_seq_by_id_.end()) return UnknownStartingAfter(options.starting_after);
    before_seq = cursor->second;
  }
  const std::size_t limit = static_cast<std::size_t>(ClampLimit(options.limit));
  Page<StoredEvent> page;
  // Takes the event if it passes the type filter; true once the page has one too many.
  auto take = [&](std::size_t seq) {
    if (type.empty() || events_[seq].type == type) page.data.push_back(events_[seq]);
    return page.data.size() > limit;
  };
  auto walk = [&](const std::unordered_map<std::string, std::vector<std::size_t>>& index,
                  const std::string& key) {
    auto found = index.find(key);
    if (found == index.end()) return;
    const std::vector<std::size_t>& seqs = found->second;
    for (auto it = std::ranges::lower_bound(seqs, before_seq); it != seqs.begin();) {
      if (take(*--it)) return;
    }
  };
  if (!payer_id.empty()) {
    walk(event_seqs_by_payer_, payer_id);
  } else if (!type.empty()) {
    walk(event_seqs_by_type_, type);
  } else {
    for (std::size_t seq = before_seq; seq > 0;) {
      if (take(--seq)) break;
    }
  }
  page.has_more = page.data.size() > limit;
  if (page.has_more) page.data.pop_back();
  return page;
}

Result<std::vector<AccountStore::CurrentPlan>> MemoryAccountStore::ListCurrentPlans() {
  std::shared_lock lock(mutex_);
  std::vector<CurrentPlan> plans;
  for (const auto& [id, record] : payers_) {
    for (const SubscriptionItem& item : record.items) {
      if (!IsCurrent(item.status)) continue;
      plans.push_back(
          {id, record.payer.type, record.payer.external_id, item.plan_slug, item.status});
    }
  }
  // SqliteStore reads them through its index of current items: by payer id.
  std::ranges::sort(plans, {}, &CurrentPlan::payer_id);
  return plans;
}

Result<std::vector<std::string>> MemoryAccountStore::PayersWithPendingAttempts() {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<std::uint64_t, std::string>> firsts;  // first pending attempt, payer
  for (const auto& [id, record] : payers_) {
    auto pending = std::ranges::find(record.attempts, AttemptStatus::kPending,
                                     [](const StoredAttempt& s) { return s.attempt.status; });
    if (pending != record.attempts.end()) firsts.emplace_back(pending->seq, id);
  }
  // SqliteStore reads them through its index of pending attempts: by creation.
  std::ranges::sort(firsts);
  std::vector<std::string> payers;
  payers.reserve(firsts.size());
  for (auto& [seq, id] : firsts) payers.push_back(std::move(id));
  return payers;
}

}  // namespace recur
