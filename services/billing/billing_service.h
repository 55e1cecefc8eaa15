// The billing service: runs lifecycle transitions (lifecycle.h) against stored accounts.
// For each change it takes the payer's lock, loads the account, applies the transition,
// renders its events and stores account, events and due work in one transaction, then updates
// the entitlement cache.
// Charges follow one rule: a charge never runs inside a database transaction. The pending
// attempt is committed first; the gateway (payment_gateway.h) is called outside any
// transaction with the attempt's idempotency key; its outcome is committed as a transition of
// its own. Before saving a card or charging, the service makes sure the payer has a customer at
// the gateway. The store holds a pending attempt for the node that committed it, under a lease
// (account_store.h). SettlePendingAttempts, run at start and by the scheduler's loop, takes the
// attempts no live node is settling (a crash or a pause between commit and answer, an answer
// that never came; on a shared database, a dead node's at once and a paused one's once its
// lease lapsed), looks each up at the gateway by its key, charges it with that same key only
// when the gateway never saw it, so a charge is never made twice, and commits the outcome with
// its events; the store refuses the commit of a node whose attempt another node took over. An
// outcome that is pending leaves the attempt pending and set aside (PostponePendingAttempt): a
// notice from the gateway (ApplyGatewayNotice) settles it, or a later pass asks again, waiting
// `PendingLookUps::first`, then twice as long each time, up to `PendingLookUps::most`.
// A payer's own actions (Mutate: subscribes, card changes, cancels, extensions) that ask the
// gateway for a charge may be limited per payer (LimitPaymentAttempts, payment_attempt_limit.h):
// one over the limit is refused before anything is stored or charged.
// Nodes sharing one database (CheckReadsAgainst): before answering an entitlement from memory,
// the service checks the payer's stored version (one indexed read) and reads the account again
// when another node changed it; before a change a payer asks for, it follows the catalog
// (CatalogService::Follow) so that it never sells from a catalog another node replaced. The
// account store it is given checks its own cache (caching_account_store.h).
// Thread-safe: changes to one payer are serialized, different payers proceed in parallel.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "base/ids.h"
#include "base/keyed_mutex.h"
#include "domain/events/billing_json.h"
#include "domain/subscriptions/lifecycle.h"
#include "domain/subscriptions/statement.h"
#include "gateways/payment_gateway.h"
#include "services/billing/payment_attempt_limit.h"
#include "services/billing/plan_texts_cache.h"
#include "services/catalog/catalog_service.h"
#include "services/entitlements/entitlement_cache.h"
#include "store/account_store.h"
#include "store/stored_versions.h"
#include "store/test_clock_store.h"

namespace recur {

struct NewPayer {
  std::string external_id;
  PayerType type = PayerType::kUser;
  std::string email;
  std::string name;
  std::optional<std::string> test_clock;  // the payer lives at this test clock's time
  std::string image_url;                  // an https URL (checked by the caller); "" for none
};

// The result of a change to an account.
struct AccountChange {
  Account account;      // after the change
  std::string item_id;  // the item the change was about
  // Set when a checkout charge failed (declined, or requiring an action the payer cannot take
  // off session): the item is left incomplete.
  std::optional<PaymentAttempt> declined;
};

// What a gateway's notice did (BillingService::ApplyGatewayNotice).
enum class NoticeEffect {
  kSettled,            // the attempt was pending; it now carries the notice's outcome
  kStillPending,       // the notice says the charge is still pending: nothing changed
  kAlreadySettled,     // the attempt was settled before (the notice came twice, or late): nothing
                       // changed
  kIgnored,            // the message is the gateway's but about nothing Recur follows
  kCardSaved,          // a card the gateway holds for the payer's customer is saved now
  kCardForgotten,      // a card the gateway detached is forgotten
  kCustomerForgotten,  // the payer's customer, deleted at the gateway, is forgotten
  kNothingToChange,    // about a card or customer that already stands as the notice says
};

struct AppliedNotice {
  NoticeEffect effect = NoticeEffect::kIgnored;
  std::optional<PaymentAttempt> attempt;  // the attempt named, as it stands after
};

// Whether stored events carry their rendered envelope. Omitted only where nobody reads the
// bodies (a cohort simulation counts events): rendering is most of a transition's cost.
enum class EventBodies { kRendered, kOmitted };

// Whether due work `next` may run in the same transaction as the pieces before it, which made
// `so_far`: none of them asked for a charge, and none made new work due before `next` (new work
// due at the same instant comes after it, as the store orders work by due time, then creation).
bool RunsInTheSameTransaction(const Transition& so_far, const DueWork& next);

// How long an attempt whose charge the gateway answered as pending waits before it is looked
// up again: `first` after the first such answer, twice as long after each next, at most `most`.
struct PendingLookUps {
  std::chrono::milliseconds first{std::chrono::minutes(1)};
  std::chrono::milliseconds most{std::chrono::hours(1)};
};

class BillingService {
 public:
  // A payer's "now" is `clock`'s, or its test clock's frozen time (`test_clocks`). Payers take
  // their ids from `payer_ids`, which public endpoints accept, so they should not be guessable
  // from one another. Everything else the service makes (subscriptions, methods, items,
  // attempts, events) takes its id from `row_ids`, which may make them in increasing order.
  BillingService(AccountStore& store, TestClockStore& test_clocks, CatalogService& catalog,
                 PaymentGateway& gateway, const Clock& clock, IdGenerator& payer_ids,
                 IdGenerator& row_ids, LifecycleOptions options, std::string instance_id,
                 EventBodies bodies = EventBodies::kRendered);

  // Limits the payment attempts of each payer's own actions to `per_payer`, counted on the
  // service's clock (payment_attempt_limit.h). Without it there is no limit. Call before Start().
  void LimitPaymentAttempts(Rate per_payer);

  // Other nodes write the same database: entitlements are checked against `shared` before they
  // are answered, and the catalog followed before each change a payer asks for. Call before
  // Start().
  void CheckReadsAgainst(StoredVersions& shared) { shared_ = &shared; }

  // The waits between look-ups of an attempt the gateway answers as pending. Call before
  // Start().
  void LookUpPendingCharges(PendingLookUps waits) { pending_look_ups_ = waits; }

  // The name of the payment gateway charges go through ("sandbox" unless told): an attempt's
  // payment_source.gateway and payee in its JSON (domain/events/billing_json.h). Call before
  // Start().
  // `account_id`: this installation's account at the gateway (Stripe's acct_...), the payee's
  // gateway_external_id; "" when it has none or it is not known.
  void NameGateway(std::string name, std::string account_id = "") {
    gateway_name_ = std::move(name);
    gateway_account_id_ = std::move(account_id);
  }
  const std::string& gateway_name() const { return gateway_name_; }
  const std::string& gateway_account_id() const { return gateway_account_id_; }

  // Settles attempts a crash left pending (SettlePendingAttempts) and loads the entitlement
  // cache.
  Status Start();

  // Takes up to `limit` pending attempts no live node is settling (negative: all of them;
  // AccountStore::TakePendingAttempts) and settles each as the service header says. Returns how
  // many it settled; one still pending, or that failed, is logged and left (it is taken again
  // once its lease or its wait is over). Fails only when the store cannot be read.
  Result<std::size_t> SettlePendingAttempts(int limit);

  Result<Account> CreatePayer(const NewPayer& payer);
  Result<Account> GetAccount(const std::string& payer_id);
  // The account of the payer of `type` whose external_id is `external_id`; none when there is
  // no such payer (one of the other type with that external id is not it).
  Result<std::optional<Account>> FindAccount(PayerType type, const std::string& external_id);
  // The id of the payer whose item `item_id` is; item_not_found when there is none.
  Result<std::string> PayerOfItem(const std::string& item_id);
  // The time a payer on `test_clock_id` lives at: the test clock's frozen time, or the clock's
  // now. Every change to the payer happens at this time, so a preview of one must use it too.
  Result<Instant> NowFor(const std::optional<std::string>& test_clock_id);
  // Opens a card setup at the gateway for the payer's browser (PaymentGateway::StartCardSetup),
  // making and keeping the payer's customer first when it has none.
  Result<CardSetup> StartCardSetup(const std::string& payer_id);
  // Saves the card `token` (attached at the gateway to the payer's customer, which is made and
  // kept on the payer on first need). The payer's first card, or one with `make_default`,
  // becomes the default, here and at the gateway (PaymentGateway::SetDefaultCard). A `token`
  // that is the id of a saved card (cpm_...) attaches nothing: with `make_default` it makes that
  // card the default. Recur keeps the gateway's token, brand, last4 and expiry, never a number.
  Result<PaymentMethod> AddPaymentMethod(const std::string& payer_id, const std::string& token,
                                         bool make_default);
  // Detaches the saved card `method` (its id, or its gateway token) at the gateway and forgets
  // it. The default card of a payer with a paid item is refused (card_changes.h) before the
  // gateway is asked; payment_method_not_found when the payer has no such card.
  Status RemovePaymentMethod(const std::string& payer_id, const std::string& method);
  Result<AccountChange> Subscribe(const std::string& payer_id, const SubscribeRequest& request);
  Result<AccountChange> Cancel(const std::string& item_id, bool end_now);
  Result<AccountChange> ExtendTrial(const std::string& item_id, Instant extend_to);
  // Verifies and reads a message the gateway sent on its own (a webhook):
  // PaymentGateway::ReadNotice.
  Result<std::optional<GatewayNotice>> ReadGatewayNotice(const GatewayMessage& message);
  // Applies a notice ReadGatewayNotice read. A charge's outcome settles the pending attempt it
  // names, at the payer's now, as a charge's answer would have. Exactly once: the same notice
  // again, or one about an attempt settled already, changes nothing and answers
  // kAlreadySettled with the attempt as it stands. A card saved at the gateway is saved (unless
  // it is already), a card detached there forgotten (even the default of a paid item: it cannot
  // be charged), a deleted customer forgotten (the next need makes another); again, or about a
  // customer the payer no longer has, they change nothing (kNothingToChange). Errors:
  // payer_not_found or attempt_not_found when the notice names neither; notice_mismatch when
  // the attempt it names was charged with another key.
  Result<AppliedNotice> ApplyNotice(const GatewayNotice& notice);
  // ReadGatewayNotice, then ApplyNotice (kIgnored when there is nothing to apply).
  Result<AppliedNotice> ApplyGatewayNotice(const GatewayMessage& message);
  // Runs stored work of one payer that fell due, each piece at its due_at, oldest first, and
  // marks it done in the same transaction (the scheduler's entry point). The pieces share one
  // transaction as far as that is the same as running them one by one: a run stops after a
  // piece that asks for a charge (whose pending attempt must be stored before the gateway is
  // called) and before a piece that an earlier one made new work due ahead of; also before a
  // piece that fails, unless it is the first. Returns how many pieces ran (at least one); the
  // rest are left for the next read. Work done already is a work_already_done error.
  Result<std::size_t> RunDue(std::span<const DueWork> pieces);

  // The payer's payment attempts and the events stored, newest first, in pages, as the store
  // lists them (account_store.h).
  Result<Page<PaymentAttempt>> ListPaymentAttempts(const std::string& payer_id,
                                                   const ListOptions& options);
  Result<Page<StoredEvent>> ListEvents(const std::string& payer_id, const std::string& type,
                                       const ListOptions& options);
  // The payers' accounts, newest first, in pages as the store lists their ids; with a `query`,
  // those it matches (store/payer_search.h).
  Result<Page<Account>> ListPayers(const std::string& query, const ListOptions& options);
  // The statements of `payer` (domain/subscriptions/statement.h), newest first, in pages as the
  // store lists them, each as it stands at the payer's now (billing_statements.cc).
  Result<Page<Statement>> ListStatements(const Payer& payer, const ListOptions& options);
  // The statement `statement_id` as it stands at its payer's now; statement_not_found when no
  // attempt is on it.
  Result<Statement> GetStatement(const std::string& statement_id);
  // The id of the payer whose statement it is; statement_not_found when there is none.
  Result<std::string> PayerOfStatement(const std::string& statement_id);
  // The payment attempt `attempt_id`, settled or not, with its payer; attempt_not_found when
  // there is none.
  Result<AttemptOfPayer> GetPaymentAttempt(const std::string& attempt_id);
  // The id of the payer whose payment attempt it is; attempt_not_found when there is none.
  Result<std::string> PayerOfAttempt(const std::string& attempt_id);

  // What the payer is entitled to: the cached entry, checked against the stored payer's
  // version when the database is shared (and made again from the account when it is stale).
  // nullopt: no such payer, or one without a current item.
  Result<std::optional<EntitlementEntry>> Entitlement(const std::string& payer_id);
  const EntitlementCache& entitlements() const { return entitlements_; }
  const LifecycleOptions& options() const { return options_; }
  const std::string& instance_id() const { return instance_id_; }
  std::shared_ptr<const Catalog> catalog() const { return catalog_.Current(); }
  // What the JSON of `account`'s items and attempts is rendered with: this installation, its
  // gateway and `catalog`, which the caller keeps alive (a snapshot from catalog()) while the
  // context is used.
  RenderContext RenderContextFor(const Account& account, const Catalog& catalog) const {
    return {catalog, account.payer, account.payment_methods, instance_id_,
            nullptr, gateway_name_, gateway_account_id_};
  }

 private:
  // Applies `change` to the payer's account at the payer's now; refused by the payment attempt
  // limit, before it is stored, when it asks the gateway for a charge the payer has no attempt
  // left for.
  template <typename Change>
  Result<AccountChange> Mutate(const std::string& payer_id, Change&& change);
  // Renders the transition's events and stores it (Store).
  Result<AccountChange> Commit(const Account* before, Account after, Transition transition,
                               const Catalog& catalog, Instant now);
  // The stored form of `events`, rendered against the account as it is right after them.
  std::vector<StoredEvent> RenderEvents(const std::vector<BillingEvent>& events,
                                        const Account& after, const Catalog& catalog);
  // Stores the change with its rendered events and the due work it completes, then drives the
  // transition's charges.
  Result<AccountChange> Store(const Account* before, Account after, Transition transition,
                              const std::vector<StoredEvent>& events, const Catalog& catalog,
                              Instant now, const std::vector<DueWork>& completes_work);
  // How a pending attempt is taken to the gateway: charged, or first looked up (at start, when
  // the gateway may have seen it already) and charged only when the gateway never did.
  enum class Ask { kCharge, kLookUpFirst };
  // Takes each of the transition's pending attempts to the gateway as `ask` says, and commits
  // each decided outcome, stamped `now` (the instant of the change that asked for the charge);
  // charges those outcomes ask for follow.
  // `still_pending_answers`: of the transition's attempts, as TakePendingAttempts counted them.
  Status DriveCharges(Account& account, Transition& transition, AccountChange& change,
                      const Catalog& catalog, Instant now, Ask ask = Ask::kCharge,
                      int still_pending_answers = 0);
  // How long an attempt waits after the gateway answered pending, having answered so
  // `answers_before` times before.
  std::chrono::milliseconds WaitAfterPendingAnswer(int answers_before) const;
  // The gateway's answer about one pending attempt.
  Result<ChargeOutcome> AskGateway(const Account& account, const PaymentAttempt& attempt, Ask ask);
  // Applies a decided outcome to a pending attempt and commits it as a transition of its own.
  // Returns the charges that transition asks for.
  Result<std::vector<std::string>> CommitOutcome(Account& account, const std::string& attempt_id,
                                                 const ChargeOutcome& outcome,
                                                 AccountChange& change, const Catalog& catalog,
                                                 Instant now);
  // The payer's customer at the gateway: the one kept on the payer, else the gateway's
  // (EnsureCustomer), not kept (charges run under the payer's lock).
  Result<std::string> CustomerOf(const Payer& payer);
  // The payer's customer at the gateway, made on first need and kept on the payer.
  Result<std::string> KeptCustomerOf(const Account& account);
  // ApplyNotice's two halves: a charge's outcome, and a change to the payer's cards or customer.
  Result<AppliedNotice> ApplyChargeNotice(const ChargeNotice& said);
  Result<AppliedNotice> ApplyCardNotice(const GatewayNotice& notice);
  // An attempt of the payer's that is no longer pending (an account holds only pending ones).
  Result<std::optional<PaymentAttempt>> FindSettledAttempt(const std::string& payer_id,
                                                           const std::string& attempt_id);
  void Cache(const Account& account);
  // The catalog a change a payer asked for is made against: where the database is shared, the
  // stored one (followed first), so no node sells from a catalog another node replaced.
  Result<std::shared_ptr<const Catalog>> CatalogForChange();

  AccountStore& store_;
  TestClockStore& test_clocks_;
  CatalogService& catalog_;
  PaymentGateway& gateway_;
  const Clock& clock_;
  IdGenerator& payer_ids_;
  IdGenerator& row_ids_;
  const LifecycleOptions options_;
  const std::string instance_id_;
  const EventBodies bodies_;
  PlanTextsCache plan_texts_;
  KeyedMutex payer_locks_;
  std::unique_ptr<PaymentAttemptLimit> payment_attempts_;  // none: no limit
  PendingLookUps pending_look_ups_;
  EntitlementCache entitlements_;
  StoredVersions* shared_ = nullptr;  // null: this process is the database's only writer
  std::string gateway_name_ = "sandbox";
  std::string gateway_account_id_;
};

}  // namespace recur
