// An AccountStore in memory, for the simulator: the real billing service and scheduler over
// hundreds of thousands of payers, without a disk. It keeps the AccountStore contract
// (account_store.h; the contract tests run on it): the same accounts, orders, pages, unique
// keys and errors as every backend. DueWorkUntil is O(log n + k): pending work is indexed by
// clock and (due time, id), done work is dropped, and the work of payers waiting for a
// checkout is passed over (k counts it).
// What the contract leaves to a backend, it does this way: nothing is durable; it keeps no
// webhook endpoints, so events fan out to no deliveries; plans, plan versions and test clocks
// are not checked to exist; and an item or attempt that `before` names and this payer lacks is
// left alone.
// Thread-safe: reads share a lock; a SaveTransition holds it alone and applies all or nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/account_store.h"
#include "store/memory/memory_idempotency_store.h"

namespace recur {

struct MemoryAccountStoreOptions {
  // Off: SaveTransition keeps no event (no body, no id), so memory does not grow with the
  // number of events. ListEvents then finds nothing (and refuses every starting_after as
  // naming no element), and a reused event id is a conflict only within one SaveTransition.
  bool keep_events = true;
  // Off: an attempt is forgotten once it is paid or failed (the contract keeps them all), so
  // memory does not grow with the number of charges. ListPaymentAttempts then lists only
  // pending attempts (ListStatements and LoadStatement see only those too), and the unique checks
  // of idempotency keys and paid periods see only pending ones; the lifecycle's own rules against
  // charging a period twice still hold.
  bool keep_settled_attempts = true;
  // When set, a SaveTransition inside an IdempotentRequestScope records in this store, as it
  // applies the change, that the scope's key made it (idempotency_store.h). Not owned.
  MemoryIdempotencyStore* idempotency_keys = nullptr;
  // How long a pending attempt stays this store's before TakePendingAttempts hands it out
  // again (account_store.h), timed by the process's steady clock.
  std::chrono::milliseconds pending_attempt_lease{60'000};
};

class MemoryAccountStore final : public AccountStore {
 public:
  explicit MemoryAccountStore(MemoryAccountStoreOptions options = {});
  ~MemoryAccountStore() override;
  MemoryAccountStore(const MemoryAccountStore&) = delete;
  MemoryAccountStore& operator=(const MemoryAccountStore&) = delete;

  Result<std::optional<Account>> LoadAccount(const std::string& payer_id) override;
  Result<std::optional<std::string>> FindPayerId(PayerType type,
                                                 const std::string& external_id) override;
  Result<std::optional<std::string>> FindPayerIdOfItem(const std::string& item_id) override;
  Status SaveTransition(const Account* before, const Account& after,
                        const std::vector<StoredEvent>& events,
                        const std::vector<DueWork>& scheduled,
                        const std::vector<DueWork>& completes_work) override;
  Result<std::vector<DueWork>> DueWorkUntil(Instant until,
                                            const std::optional<std::string>& clock_id,
                                            int limit) override;
  // Its pieces are always its own (one node): nothing to give back.
  Status ReleaseDueWork(const std::vector<DueWork>&) override { return Ok(); }
  Result<Page<StoredStatement>> ListStatements(const std::string& payer_id,
                                               const ListOptions& options) override;
  Result<std::optional<StoredStatement>> LoadStatement(const std::string& statement_id) override;
  Result<std::optional<AttemptOfPayer>> LoadPaymentAttempt(const std::string& attempt_id) override;
  Result<Page<PaymentAttempt>> ListPaymentAttempts(const std::string& payer_id,
                                                   const ListOptions& options) override;
  Result<Page<StoredEvent>> ListEvents(const std::string& payer_id, const std::string& type,
                                       const ListOptions& options) override;
  Result<Page<std::string>> ListPayerIds(const std::string& query,
                                         const ListOptions& options) override;
  Result<std::vector<CurrentPlan>> ListCurrentPlans() override;
  Result<std::vector<TakenAttempt>> TakePendingAttempts(int limit) override;
  Status PostponePendingAttempt(const std::string& attempt_id,
                                std::chrono::milliseconds wait) override;

 private:
  struct StoredAttempt {
    std::uint64_t seq = 0;  // the order attempts were stored in, across all payers
    PaymentAttempt attempt;
  };
  // One payer's rows, each list in creation order.
  struct PayerRecord {
    Payer payer;  // version: the stored one
    std::vector<PaymentMethod> payment_methods;
    std::vector<SubscriptionItem> items;
    std::vector<StoredAttempt> attempts;  // all of them, settled ones too
  };
  struct AttemptRef {
    PayerRecord* payer = nullptr;
    std::uint64_t seq = 0;
  };
  struct PendingWork {
    DueWork work;
    std::optional<std::string> clock_id;  // the payer's test clock when the work was stored
  };
  // A pending attempt and until when no TakePendingAttempts hands it out.
  struct PendingAttempt {
    std::string payer_id;
    std::string attempt_id;
    std::chrono::steady_clock::time_point held_until;
    int still_pending_answers = 0;
  };
  struct CheckedWrites;  // a SaveTransition's writes, checked (memory_account_store.cc)

  Result<CheckedWrites> Check(const Account* before, const Account& after,
                              const std::vector<StoredEvent>& events,
                              const std::vector<DueWork>& scheduled,
                              const std::vector<DueWork>& completes_work);
  void Apply(const CheckedWrites& writes, const Account& after,
             const std::vector<StoredEvent>& events, const std::vector<DueWork>& scheduled,
             const std::vector<DueWork>& completes_work) noexcept;
  // Moves the payer's work due before `at` to `at` (waiting_work.h).
  void ReleaseWaitingWork(const std::string& payer_id, const std::optional<std::string>& clock_id,
                          Instant at);

  const MemoryAccountStoreOptions options_;
  mutable std::shared_mutex mutex_;

  // Payers and their unique keys. Records never move (node-based map), so indexes point at them.
  std::unordered_map<std::string, PayerRecord> payers_;
  std::unordered_map<std::string, PayerRecord*> payers_by_external_id_;  // type '\n' external_id
  std::unordered_set<std::string> subscription_ids_;
  std::unordered_set<std::string> payment_method_ids_;
  std::unordered_map<std::string, PayerRecord*> item_payers_;
  std::unordered_map<std::string, AttemptRef> attempts_by_id_;
  std::unordered_map<std::string, PayerRecord*> statement_payers_;  // by statement id
  std::unordered_set<std::string> idempotency_keys_;
  std::unordered_set<std::string> paid_periods_;  // item id '\n' period start, of paid attempts
  std::uint64_t next_attempt_seq_ = 1;
  std::map<std::uint64_t, PendingAttempt> pending_attempts_;  // by seq: in the order stored

  // The event outbox (with keep_events): index = sequence number.
  std::vector<StoredEvent> events_;
  std::unordered_map<std::string, std::size_t> event_seq_by_id_;
  std::unordered_map<std::string, std::vector<std::size_t>> event_seqs_by_payer_;
  std::unordered_map<std::string, std::vector<std::size_t>> event_seqs_by_type_;

  // Work not yet done, by id and, per clock (none: real time), by (due time, id).
  std::unordered_map<std::int64_t, PendingWork> pending_work_;
  std::map<std::optional<std::string>, std::set<std::pair<Instant, std::int64_t>>> due_queues_;
  std::int64_t next_work_id_ = 1;
  // Payers with a checkout pending, whose work waits for it (waiting_work.h).
  std::unordered_set<std::string> waiting_payers_;
};

}  // namespace recur
