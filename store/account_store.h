// Where payers' accounts, the event outbox and due work are kept: the contract every backend
// keeps, and that store/account_store_contract_test.cc checks on each of them.
//
// An account is read whole (LoadAccount) and written as the difference between the account
// read and the account after a transition (store/account_changes.h says which rows that is, and
// in which order a backend that checks its unique keys row by row writes them), together with
// that transition's events and due work, all in one transaction: either everything below is
// stored or nothing is. A SaveTransition:
//  1. creates the payer (`before` null) or updates what may change of it (email, name,
//     trial_used, has_paid, default_payment_method_id; the rest is fixed at creation) if its
//     stored version is still `before`'s, and adds one to the version;
//  2. adds the new payment methods (methods are never changed or removed), and adds or updates
//     the items and attempts that are new or changed (none is ever removed);
//  3. appends the events to the outbox, in order, and, for a backend that keeps webhook
//     endpoints (webhook_endpoint_store.h), queues each event's deliveries: one pending
//     delivery, due at once, per endpoint that is neither deleted nor disabled and whose
//     filter takes the event's type (TakesEventType), with the webhook-id WebhookIdOf(event,
//     endpoint); an endpoint made or enabled later gets none of the events before it;
//  4. stores the scheduled work, each piece under the payer's test clock (none: real time) and
//     a new id, greater than every id given before, then marks the pieces of `completes_work`
//     done: pieces as DueWorkUntil handed them out to this store (id and lease);
//  5. when the change settles a checkout (WaitingWorkReleasedAt, waiting_work.h), moves the
//     payer's work not yet done that is due before the settlement to the settlement's instant.
// It keeps these rules, and a change that would break one is refused whole:
//  - unique: payer ids, subscription ids, (payer type, external id), payment method, item,
//    attempt and event ids, attempts' idempotency keys; at most one paid attempt per item and
//    period start; at most one current item (IsCurrentStatus) and one upcoming item per payer
//    once the change is written. Refused as "conflict" (store_errors.h).
//  - the payer's stored version is `before`'s: else "concurrent_change" (kAborted).
//  - each piece of `completes_work` is stored and not done, and named once: else
//    "work_already_done" (kAborted).
//  - each piece of `completes_work` is still leased to this store under the lease it was
//    handed out with, and that lease has not lapsed (below): else "work_lease_lost" (kAborted). The
//    caller was too slow, or paused, and another node may be applying the piece; it must apply
//    nothing of it.
//  - a change that settles a pending attempt (stores it paid or failed) is refused whole,
//    "attempt_lease_lost" (kAborted), while another store holds the attempt under a lease that
//    is not over (below): that store is settling it, and the caller, paused or too slow, must
//    not settle it too.
//  - amounts are not negative, an attempt names an item of its payer, scheduled work names a
//    stored payer: else "storage_error" (kUnavailable); the lifecycle never makes such a change.
// Leases on due work. Several nodes (each a store instance, however many threads it has) may
// share one database. DueWorkUntil leases the pieces it returns to the calling store for a lease
// time (each backend says how long) and stamps each with its lease (DueWork::lease). A piece
// leased to another store whose lease has not lapsed is not returned; a lapsed lease is taken
// over by whoever reads the piece next, with a new lease. A backend that can tell a dead store
// from a paused one (PostgreSQL: store/postgres/pg_lease_rule.h) also takes over at once the
// lease of a store that died. A piece this store holds already is
// returned again with its lease extended and unchanged, so a store may read what it left; once
// its lease has lapsed, even a lease this store takes again is a new one, and the old one no
// longer completes the piece. So each piece is applied once across nodes, a node that dies loses
// its pieces after a lease, and a node woken from a pause longer than its lease cannot complete
// what it read before. Leases are timed by the database's clock, never a node's or a test
// clock's. A store one node has to itself (memory; SQLite, whose file one process holds by the
// OS lock) keeps this trivially: its pieces are always its own, their lease is 0 and never lost.
// Leases on pending attempts. An attempt a SaveTransition stores pending (its charge about to be
// asked for) is held by that store for a lease from the commit, so no other store looks it up
// while its own store charges it. Once that lease is over (lapsed; or at once, where a backend
// can tell, because its store died), TakePendingAttempts hands the attempt to the next store
// that asks, under a lease of its own; settling it ends the lease. An attempt whose charge the
// gateway answered as still pending is set aside for a while (PostponePendingAttempt): held by
// no store, so a gateway's notice may settle it through any store, and taken by none before
// then. A store one node has to itself (memory; SQLite) times these leases by its own clock,
// and counts a lease of an earlier run of the process (SQLite) as over at once.
// Reads see every change whose SaveTransition has returned. Lists are ordered as each method
// says; "in the order stored" is the order SaveTransition calls returned, and rows of one call
// in the order given.
// Implementations are safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "domain/subscriptions/account.h"
#include "domain/subscriptions/due_work.h"
#include "store/page.h"

namespace recur {

struct StoredEvent {
  std::string id;  // evt_...
  std::string type;
  std::string payer_id;
  Instant timestamp;
  std::string body;  // the envelope JSON, exactly as it will be delivered
};

// The attempts that carry one statement id (PaymentAttempt::statement_id,
// domain/subscriptions/statement.h), in the order stored, with their payer.
struct StoredStatement {
  std::string id;
  std::string payer_id;
  std::vector<PaymentAttempt> attempts;
  friend bool operator==(const StoredStatement&, const StoredStatement&) = default;
};

// One payment attempt with the payer it is of.
struct AttemptOfPayer {
  std::string payer_id;
  PaymentAttempt attempt;
  friend bool operator==(const AttemptOfPayer&, const AttemptOfPayer&) = default;
};

// A pending attempt TakePendingAttempts handed to this store to settle.
struct TakenAttempt {
  std::string payer_id;
  std::string attempt_id;
  // How many times the gateway answered before that the charge was still pending
  // (PostponePendingAttempt): what the next wait is reckoned from.
  int still_pending_answers = 0;
  friend bool operator==(const TakenAttempt&, const TakenAttempt&) = default;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // The payer's account with all its payment methods (by creation, then id), all its items
  // (by creation, then in the order stored) and its pending attempts (likewise).
  virtual Result<std::optional<Account>> LoadAccount(const std::string& payer_id) = 0;
  virtual Result<std::optional<std::string>> FindPayerId(PayerType type,
                                                         const std::string& external_id) = 0;
  virtual Result<std::optional<std::string>> FindPayerIdOfItem(const std::string& item_id) = 0;

  // Stores a transition as the contract above says. `before` is null for a new payer, else the
  // account as LoadAccount returned it.
  virtual Status SaveTransition(const Account* before, const Account& after,
                                const std::vector<StoredEvent>& events,
                                const std::vector<DueWork>& scheduled,
                                const std::vector<DueWork>& completes_work = {}) = 0;

  // Work not yet done that is due at or before `until`, for payers on the test clock
  // `clock_id` (none: payers on real time), oldest first (by due time, then creation), at most
  // `limit` pieces, each leased to this store (above); pieces another store holds are left out.
  // A payer's work waits, and is not listed, while the payer has a checkout pending
  // (Account::HasPendingCheckout, waiting_work.h).
  virtual Result<std::vector<DueWork>> DueWorkUntil(Instant until,
                                                    const std::optional<std::string>& clock_id,
                                                    int limit) = 0;
  // Gives back the leases of `pieces`, as DueWorkUntil handed them to this store, so that any
  // store takes them at once rather than once they lapse (a scheduler that stops gives back
  // what it read and did not apply). A piece done, or whose lease another store took since, is
  // left as it is; a lease given back no longer completes its piece. A store one node has to
  // itself has nothing to give back.
  virtual Status ReleaseDueWork(const std::vector<DueWork>& pieces) = 0;

  // Newest first (the reverse of the order stored), in pages (page.h). Every attempt the payer
  // ever had, settled ones included.
  virtual Result<Page<PaymentAttempt>> ListPaymentAttempts(const std::string& payer_id,
                                                           const ListOptions& options) = 0;
  // The payer's statements: its attempts grouped by statement id (an attempt with none is on
  // no statement), newest first by the start of the period their attempts charge for, in pages
  // whose starting_after names a statement of the payer. Every attempt, settled ones included.
  virtual Result<Page<StoredStatement>> ListStatements(const std::string& payer_id,
                                                       const ListOptions& options) = 0;
  // The statement `statement_id` with all its attempts; none when no attempt carries that id.
  virtual Result<std::optional<StoredStatement>> LoadStatement(const std::string& statement_id) = 0;
  // The attempt `attempt_id`, settled or not, with its payer; none when there is no such
  // attempt.
  virtual Result<std::optional<AttemptOfPayer>> LoadPaymentAttempt(
      const std::string& attempt_id) = 0;
  // Newest first (the reverse of the order stored), in pages; of one payer and of one type
  // when those are not empty.
  virtual Result<Page<StoredEvent>> ListEvents(const std::string& payer_id, const std::string& type,
                                               const ListOptions& options) = 0;

  // Payers' ids, newest first (by created_at, then by id, the greater first), in pages whose
  // starting_after names a payer; with a `query` (not empty), only the payers it matches
  // (payer_search.h), found through indexes on SQL stores.
  virtual Result<Page<std::string>> ListPayerIds(const std::string& query,
                                                 const ListOptions& options) = 0;

  // For the entitlement cache: every payer's current item, by payer id.
  struct CurrentPlan {
    std::string payer_id;
    PayerType payer_type;
    std::string external_id;
    std::string plan_slug;
    ItemStatus status;
  };
  virtual Result<std::vector<CurrentPlan>> ListCurrentPlans() = 0;
  // Pending attempts no store is settling (their lease is over, above), in the order stored, at
  // most `limit` (negative: no limit), each now held by this store for a lease: a crash or a
  // pause between an attempt's commit and the gateway's answer, an answer that never came, or
  // a postponement run out. Attempts another store holds under a running lease, this store's
  // own included, are left out.
  virtual Result<std::vector<TakenAttempt>> TakePendingAttempts(int limit) = 0;
  // The gateway answered that the charge of a pending attempt this store holds is still
  // pending: the attempt stays pending, held by no store, and no store takes it for `wait`; its
  // still_pending_answers counts one more. An attempt not pending, or held by another store
  // now, is left as it is.
  virtual Status PostponePendingAttempt(const std::string& attempt_id,
                                        std::chrono::milliseconds wait) = 0;
};

}  // namespace recur
