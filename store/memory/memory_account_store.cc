#include "store/memory/memory_account_store.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <string_view>

#include "store/account_changes.h"
#include "store/idempotent_request_scope.h"
#include "store/payer_search.h"
#include "store/store_errors.h"
#include "store/stored_account.h"
#include "store/waiting_work.h"

namespace recur {
namespace {

constexpr std::size_t kNew = std::numeric_limits<std::size_t>::max();

// A change that names rows that are not there, or breaks a rule of stored values: refused as
// a storage error, as every backend refuses it.
[[nodiscard]] std::unexpected<Error> Unstorable(const std::string& payer_id, std::string_view why) {
  return MakeError(ErrorKind::kUnavailable, "storage_error",
                   "saving payer " + payer_id + " failed: " + std::string(why));
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

// The keys of a unique index as a transition leaves them: the stored keys, less those its
// writes give up, plus those they take.
template <typename Stored>
class StagedKeys {
 public:
  explicit StagedKeys(const Stored& stored) : stored_(stored) {}

  void GiveUp(const std::string& key) { given_up_.push_back(key); }
  // False when the key is taken already: by a stored row the writes keep, or by another write.
  bool Take(const std::string& key) {
    const bool stored =
        stored_.contains(key) && std::ranges::find(given_up_, key) == given_up_.end();
    if (stored || std::ranges::find(taken_, key) != taken_.end()) return false;
    taken_.push_back(key);
    return true;
  }

 private:
  const Stored& stored_;
  std::vector<std::string> given_up_;
  std::vector<std::string> taken_;
};

}  // namespace

// The writes of a SaveTransition (account_changes.h), checked against what is stored, each
// with its place in the payer's stored list (kNew: appended). Points into the account after the
// change, which outlives it.
struct MemoryAccountStore::CheckedWrites {
  PayerRecord* payer = nullptr;  // none: a new payer
  std::vector<const PaymentMethod*> new_methods;
  std::vector<std::string> removed_method_ids;
  std::vector<std::pair<std::size_t, const SubscriptionItem*>> items;
  std::vector<std::pair<std::size_t, const PaymentAttempt*>> attempts;
  std::optional<Instant> releases_waiting_work_at;  // waiting_work.h
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
                                          const std::vector<DueWork>& completes_work) {
  std::unique_lock lock(mutex_);
  auto writes = Check(before, after, events, scheduled, completes_work);
  if (!writes) return std::unexpected(writes.error());
  Apply(*writes, after, events, scheduled, completes_work);
  if (options_.idempotency_keys != nullptr) {
    if (auto key = IdempotentRequestScope::CurrentKey()) {
      options_.idempotency_keys->RecordChange(
          *key, MadeByTransition(before, after, ChangesBetween(before, after)));
    }
  }
  return Ok();
}

Result<MemoryAccountStore::CheckedWrites> MemoryAccountStore::Check(
    const Account* before, const Account& after, const std::vector<StoredEvent>& events,
    const std::vector<DueWork>& scheduled, const std::vector<DueWork>& completes_work) {
  const std::string& payer_id = after.payer.id;
  const AccountChanges changes = ChangesBetween(before, after);
  CheckedWrites writes;
  writes.releases_waiting_work_at = WaitingWorkReleasedAt(changes);
  writes.new_methods = changes.new_methods;
  writes.removed_method_ids = changes.removed_method_ids;

  if (before == nullptr) {
    if (payers_.contains(payer_id)) return Conflict("payer id " + payer_id + " is taken");
    if (subscription_ids_.contains(after.payer.subscription_id)) {
      return Conflict("subscription id " + after.payer.subscription_id + " is taken");
    }
    if (payers_by_external_id_.contains(ExternalKey(after.payer.type, after.payer.external_id))) {
      return Conflict(std::string(PayerTypeName(after.payer.type)) + " external id " +
                      after.payer.external_id + " is taken");
    }
  } else {
    auto found = payers_.find(payer_id);
    if (found == payers_.end() || found->second.payer.version != before->payer.version) {
      return ConcurrentChange("payer " + payer_id);
    }
    writes.payer = &found->second;
  }

  std::vector<const std::string*> new_method_ids;
  for (const PaymentMethod* method : changes.new_methods) {
    if (payment_method_ids_.contains(method->id) || Contains(new_method_ids, method->id)) {
      return Conflict("payment method id " + method->id + " is taken");
    }
    new_method_ids.push_back(&method->id);
  }

  // Items: each new id free, then at most one current and one upcoming item once all are
  // written.
  std::vector<ItemStatus> statuses;
  if (writes.payer != nullptr) {
    for (const SubscriptionItem& item : writes.payer->items) statuses.push_back(item.status);
  }
  std::vector<const std::string*> new_item_ids;
  for (const auto& [item, old] : changes.items) {
    std::size_t slot = kNew;
    if (old != nullptr) {
      auto& stored = writes.payer->items;
      auto it = std::ranges::find(stored, item->id, &SubscriptionItem::id);
      if (it == stored.end()) continue;  // an update of no stored row changes nothing
      slot = static_cast<std::size_t>(it - stored.begin());
    }
    if (item->amount < 0) return Unstorable(payer_id, "item " + item->id + " has amount < 0");
    if (slot == kNew) {
      if (item_payers_.contains(item->id) || Contains(new_item_ids, item->id)) {
        return Conflict("item id " + item->id + " is taken");
      }
      new_item_ids.push_back(&item->id);
      statuses.push_back(item->status);
    } else {
      statuses[slot] = item->status;
    }
    writes.items.emplace_back(slot, item);
  }
  if (std::ranges::count_if(statuses, IsCurrentStatus) > 1 ||
      std::ranges::count(statuses, ItemStatus::kUpcoming) > 1) {
    return Conflict("payer " + payer_id + " would have two current or two upcoming items");
  }

  // Attempts: each new id free, each idempotency key and each paid period taken once.
  StagedKeys idempotency_keys(idempotency_keys_);
  StagedKeys paid_periods(paid_periods_);
  std::vector<const std::string*> new_attempt_ids;
  for (const auto& [attempt, old] : changes.attempts) {
    std::size_t slot = kNew;
    if (old != nullptr) {
      auto ref = attempts_by_id_.find(attempt->id);
      if (ref == attempts_by_id_.end() || ref->second.payer != writes.payer) continue;
      auto& stored = writes.payer->attempts;
      auto it = std::ranges::lower_bound(stored, ref->second.seq, {}, &StoredAttempt::seq);
      slot = static_cast<std::size_t>(it - stored.begin());
      idempotency_keys.GiveUp(it->attempt.idempotency_key);
      if (it->attempt.status == AttemptStatus::kPaid)
        paid_periods.GiveUp(PaidPeriodKey(it->attempt));
    } else if (attempts_by_id_.contains(attempt->id) || Contains(new_attempt_ids, attempt->id)) {
      return Conflict("payment attempt id " + attempt->id + " is taken");
    }
    if (attempt->amount < 0) {
      return Unstorable(payer_id, "payment attempt " + attempt->id + " has amount < 0");
    }
    if (!item_payers_.contains(attempt->item_id) && !Contains(new_item_ids, attempt->item_id)) {
      return Unstorable(payer_id, "payment attempt " + attempt->id + " names no stored item");
    }
    if (slot == kNew) new_attempt_ids.push_back(&attempt->id);
    writes.attempts.emplace_back(slot, attempt);
  }
  for (const auto& [slot, attempt] : writes.attempts) {
    if (!idempotency_keys.Take(attempt->idempotency_key)) {
      return Conflict("idempotency key " + attempt->idempotency_key + " is taken");
    }
    if (attempt->status == AttemptStatus::kPaid && !paid_periods.Take(PaidPeriodKey(*attempt))) {
      return Conflict("item " + attempt->item_id + " has a paid attempt for this period");
    }
  }

  std::vector<const std::string*> new_event_ids;
  for (const StoredEvent& event : events) {
    if ((options_.keep_events && event_seq_by_id_.contains(event.id)) ||
        Contains(new_event_ids, event.id)) {
      return Conflict("event id " + event.id + " is taken");
    }
    new_event_ids.push_back(&event.id);
  }

  for (const DueWork& work : scheduled) {
    if (!payers_.contains(work.payer_id) && !(before == nullptr && work.payer_id == payer_id)) {
      return Unstorable(payer_id,
                        "due work names payer " + work.payer_id + ", which is not stored");
    }
  }

  // Marked done after the new work is stored, so it may name a piece of that work. A piece
  // named twice is done already the second time.
  // Its pieces' leases are always its own (account_store.h): only one node uses it.
  for (auto piece = completes_work.begin(); piece != completes_work.end(); ++piece) {
    const std::int64_t id = piece->id;
    const bool stored_now =
        id >= next_work_id_ && id < next_work_id_ + static_cast<std::int64_t>(scheduled.size());
    if ((!pending_work_.contains(id) && !stored_now) ||
        std::any_of(completes_work.begin(), piece,
                    [id](const DueWork& earlier) { return earlier.id == id; })) {
      return WorkAlreadyDone(id);
    }
  }
  return writes;
}

// Everything was checked, so nothing here can fail but an allocation, which ends the process
// (noexcept) rather than leave half a transition stored.
void MemoryAccountStore::Apply(const CheckedWrites& writes, const Account& after,
                               const std::vector<StoredEvent>& events,
                               const std::vector<DueWork>& scheduled,
                               const std::vector<DueWork>& completes_work) noexcept {
  PayerRecord* record = writes.payer;
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
    payer.gateway_customer_id = after.payer.gateway_customer_id;
    ++payer.version;
  }

  for (const PaymentMethod* method : writes.new_methods) {
    record->payment_methods.push_back(*method);
    payment_method_ids_.insert(method->id);
  }
  for (const std::string& removed : writes.removed_method_ids) {
    std::erase_if(record->payment_methods,
                  [&](const PaymentMethod& method) { return method.id == removed; });
  }

  for (const auto& [slot, item] : writes.items) {
    if (slot == kNew) {
      record->items.push_back(*item);
      item_payers_.emplace(item->id, record);
    } else {
      record->items[slot] = *item;
    }
  }

  for (const auto& [slot, attempt] : writes.attempts) {
    if (slot == kNew) continue;
    const PaymentAttempt& stored = record->attempts[slot].attempt;
    idempotency_keys_.erase(stored.idempotency_key);
    if (stored.status == AttemptStatus::kPaid) paid_periods_.erase(PaidPeriodKey(stored));
  }
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [slot, attempt] : writes.attempts) {
    std::uint64_t seq = 0;
    if (slot == kNew) {
      seq = next_attempt_seq_++;
      record->attempts.push_back({seq, *attempt});
      attempts_by_id_.emplace(attempt->id, AttemptRef{record, seq});
      if (!attempt->statement_id.empty()) statement_payers_.emplace(attempt->statement_id, record);
    } else {
      seq = record->attempts[slot].seq;
      record->attempts[slot].attempt = *attempt;
    }
    if (attempt->status != AttemptStatus::kPending) {
      pending_attempts_.erase(seq);
    } else if (slot == kNew) {
      pending_attempts_.emplace(
          seq, PendingAttempt{after.payer.id, attempt->id, now + options_.pending_attempt_lease});
    }
    idempotency_keys_.insert(attempt->idempotency_key);
    if (attempt->status == AttemptStatus::kPaid) paid_periods_.insert(PaidPeriodKey(*attempt));
  }
  if (!options_.keep_settled_attempts) {
    std::erase_if(record->attempts, [&](const StoredAttempt& stored) {
      if (stored.attempt.status == AttemptStatus::kPending) return false;
      attempts_by_id_.erase(stored.attempt.id);
      statement_payers_.erase(stored.attempt.statement_id);
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

  for (const DueWork& piece : completes_work) {
    const std::int64_t id = piece.id;
    auto done = pending_work_.find(id);
    auto queue = due_queues_.find(done->second.clock_id);
    queue->second.erase({done->second.work.due_at, id});
    if (queue->second.empty()) due_queues_.erase(queue);
    pending_work_.erase(done);
  }

  if (after.HasPendingCheckout()) {
    waiting_payers_.insert(after.payer.id);
  } else {
    waiting_payers_.erase(after.payer.id);
  }
  if (writes.releases_waiting_work_at) {
    ReleaseWaitingWork(after.payer.id, after.payer.test_clock_id, *writes.releases_waiting_work_at);
  }
}

void MemoryAccountStore::ReleaseWaitingWork(const std::string& payer_id,
                                            const std::optional<std::string>& clock_id,
                                            Instant at) {
  auto queue = due_queues_.find(clock_id);
  if (queue == due_queues_.end()) return;
  std::vector<std::int64_t> released;
  for (const auto& [due_at, id] : queue->second) {
    if (due_at >= at) break;
    if (pending_work_.at(id).work.payer_id == payer_id) released.push_back(id);
  }
  for (const std::int64_t id : released) {
    DueWork& work = pending_work_.at(id).work;
    queue->second.erase({work.due_at, id});
    work.due_at = at;
    queue->second.emplace(at, id);
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
    const DueWork& piece = pending_work_.at(id).work;
    if (!waiting_payers_.contains(piece.payer_id)) work.push_back(piece);
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
  const int limit = PageLimit(options);
  std::vector<PaymentAttempt> read;
  if (auto found = payers_.find(payer_id); found != payers_.end()) {
    const std::vector<StoredAttempt>& attempts = found->second.attempts;
    auto it = std::ranges::lower_bound(attempts, before_seq, {}, &StoredAttempt::seq);
    while (it != attempts.begin() && static_cast<int>(read.size()) <= limit) {
      read.push_back((--it)->attempt);
    }
  }
  return PageOf(std::move(read), limit);
}

namespace {

// The attempts of `attempts` grouped by statement id, newest cycle first; those of none left out.
template <typename Stored>
std::vector<StoredStatement> StatementsOf(const std::string& payer_id,
                                          const std::vector<Stored>& attempts) {
  std::vector<StoredStatement> statements;
  std::map<std::string, std::size_t> index;  // statement id -> place in `statements`
  std::vector<Instant> cycle_starts;
  for (const Stored& stored : attempts) {
    const PaymentAttempt& attempt = stored.attempt;
    if (attempt.statement_id.empty()) continue;
    auto [it, added] = index.emplace(attempt.statement_id, statements.size());
    if (added) {
      statements.push_back({attempt.statement_id, payer_id, {}});
      cycle_starts.push_back(attempt.period_start);
    }
    statements[it->second].attempts.push_back(attempt);
  }
  std::vector<std::size_t> order(statements.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::ranges::stable_sort(
      order, [&](std::size_t a, std::size_t b) { return cycle_starts[a] > cycle_starts[b]; });
  std::vector<StoredStatement> sorted;
  for (std::size_t i : order) sorted.push_back(std::move(statements[i]));
  return sorted;
}

}  // namespace

Result<Page<StoredStatement>> MemoryAccountStore::ListStatements(const std::string& payer_id,
                                                                 const ListOptions& options) {
  std::shared_lock lock(mutex_);
  std::vector<StoredStatement> statements;
  if (auto found = payers_.find(payer_id); found != payers_.end()) {
    statements = StatementsOf(payer_id, found->second.attempts);
  }
  auto first = statements.begin();
  if (!options.starting_after.empty()) {
    first = std::ranges::find(statements, options.starting_after, &StoredStatement::id);
    if (first == statements.end()) return UnknownStartingAfter(options.starting_after);
    ++first;
  }
  const int limit = PageLimit(options);
  std::vector<StoredStatement> read;
  for (auto it = first; it != statements.end() && static_cast<int>(read.size()) <= limit; ++it) {
    read.push_back(std::move(*it));
  }
  return PageOf(std::move(read), limit);
}

Result<std::optional<StoredStatement>> MemoryAccountStore::LoadStatement(
    const std::string& statement_id) {
  std::shared_lock lock(mutex_);
  auto found = statement_payers_.find(statement_id);
  if (found == statement_payers_.end()) return std::optional<StoredStatement>();
  for (StoredStatement& statement :
       StatementsOf(found->second->payer.id, found->second->attempts)) {
    if (statement.id == statement_id) return std::optional<StoredStatement>(std::move(statement));
  }
  return std::optional<StoredStatement>();
}

Result<std::optional<AttemptOfPayer>> MemoryAccountStore::LoadPaymentAttempt(
    const std::string& attempt_id) {
  std::shared_lock lock(mutex_);
  auto ref = attempts_by_id_.find(attempt_id);
  if (ref == attempts_by_id_.end()) return std::optional<AttemptOfPayer>();
  const std::vector<StoredAttempt>& attempts = ref->second.payer->attempts;
  auto it = std::ranges::lower_bound(attempts, ref->second.seq, {}, &StoredAttempt::seq);
  if (it == attempts.end() || it->seq != ref->second.seq) return std::optional<AttemptOfPayer>();
  return std::optional<AttemptOfPayer>(AttemptOfPayer{ref->second.payer->payer.id, it->attempt});
}

Result<Page<std::string>> MemoryAccountStore::ListPayerIds(const std::string& query,
                                                           const ListOptions& options) {
  std::shared_lock lock(mutex_);
  std::optional<std::pair<Instant, std::string>> before;
  if (!options.starting_after.empty()) {
    auto cursor = payers_.find(options.starting_after);
    if (cursor == payers_.end()) return UnknownStartingAfter(options.starting_after);
    before.emplace(cursor->second.payer.created_at, cursor->second.payer.id);
  }
  std::vector<std::pair<Instant, std::string>> matching;
  for (const auto& [id, record] : payers_) {
    std::pair<Instant, std::string> key(record.payer.created_at, id);
    if (before && key >= *before) continue;
    if (query.empty() || PayerMatchesQuery(record.payer, query)) matching.push_back(std::move(key));
  }
  std::ranges::sort(matching, std::greater<>());
  const int limit = PageLimit(options);
  std::vector<std::string> read;
  for (auto& [created_at, id] : matching) {
    read.push_back(std::move(id));
    if (static_cast<int>(read.size()) > limit) break;
  }
  return PageOf(std::move(read), limit);
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
  const int limit = PageLimit(options);
  std::vector<StoredEvent> read;
  // Takes the event if it passes the type filter; true once the page has one too many.
  auto take = [&](std::size_t seq) {
    if (type.empty() || events_[seq].type == type) read.push_back(events_[seq]);
    return static_cast<int>(read.size()) > limit;
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
  return PageOf(std::move(read), limit);
}

Result<std::vector<AccountStore::CurrentPlan>> MemoryAccountStore::ListCurrentPlans() {
  std::shared_lock lock(mutex_);
  std::vector<CurrentPlan> plans;
  for (const auto& [id, record] : payers_) {
    for (const SubscriptionItem& item : record.items) {
      if (!IsCurrentStatus(item.status)) continue;
      plans.push_back(
          {id, record.payer.type, record.payer.external_id, item.plan_slug, item.status});
    }
  }
  // By payer id, as the contract orders them.
  std::ranges::sort(plans, {}, &CurrentPlan::payer_id);
  return plans;
}

Result<std::vector<TakenAttempt>> MemoryAccountStore::TakePendingAttempts(int limit) {
  std::unique_lock lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  std::vector<TakenAttempt> taken;
  for (auto& [seq, pending] : pending_attempts_) {
    if (limit >= 0 && taken.size() >= static_cast<std::size_t>(limit)) break;
    if (pending.held_until > now) continue;
    pending.held_until = now + options_.pending_attempt_lease;
    taken.push_back({pending.payer_id, pending.attempt_id, pending.still_pending_answers});
  }
  return taken;
}

Status MemoryAccountStore::PostponePendingAttempt(const std::string& attempt_id,
                                                  std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  auto ref = attempts_by_id_.find(attempt_id);
  if (ref == attempts_by_id_.end()) return Ok();
  auto pending = pending_attempts_.find(ref->second.seq);
  if (pending == pending_attempts_.end()) return Ok();
  pending->second.held_until = std::chrono::steady_clock::now() + wait;
  ++pending->second.still_pending_answers;
  return Ok();
}

}  // namespace recur
