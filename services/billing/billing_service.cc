#include "services/billing/billing_service.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "base/log.h"
#include "domain/events/billing_json.h"
#include "domain/subscriptions/card_changes.h"
#include "services/billing/not_found.h"

namespace recur {
namespace {

Status ValidateNewPayer(const NewPayer& payer) {
  auto invalid = [](std::string message, std::string param) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter", std::move(message),
                     std::move(param));
  };
  if (payer.external_id.empty() || payer.external_id.size() > 255) {
    return invalid("external_id must be 1 to 255 characters", "external_id");
  }
  const std::size_t at = payer.email.find('@');
  if (payer.email.size() > 320 || at == std::string::npos || at == 0 ||
      at + 1 == payer.email.size() || payer.email.find_first_of(" \t\r\n") != std::string::npos) {
    return invalid("email must be an address like name@example.com", "email");
  }
  if (payer.name.size() > 255) return invalid("name must be at most 255 characters", "name");
  return Ok();
}

// Whether `transition` asks the gateway for a charge: an attempt of an amount to collect (one
// fully covered by a credit is settled without the gateway).
bool AsksForACharge(const Account& after, const Transition& transition) {
  return std::ranges::any_of(transition.charges, [&](const std::string& attempt_id) {
    return std::ranges::any_of(after.attempts, [&](const PaymentAttempt& attempt) {
      return attempt.id == attempt_id && attempt.amount > 0;
    });
  });
}

}  // namespace

BillingService::BillingService(AccountStore& store, TestClockStore& test_clocks,
                               CatalogService& catalog, PaymentGateway& gateway, const Clock& clock,
                               IdGenerator& payer_ids, IdGenerator& row_ids,
                               LifecycleOptions options, std::string instance_id,
                               EventBodies bodies)
    : store_(store),
      test_clocks_(test_clocks),
      catalog_(catalog),
      gateway_(gateway),
      clock_(clock),
      payer_ids_(payer_ids),
      row_ids_(row_ids),
      options_(std::move(options)),
      instance_id_(std::move(instance_id)),
      bodies_(bodies),
      plan_texts_(catalog) {}

void BillingService::LimitPaymentAttempts(Rate per_payer) {
  payment_attempts_ = std::make_unique<PaymentAttemptLimit>(per_payer, clock_);
}

Status BillingService::Start() {
  // What a crash or a dead node left pending; never what a live node is charging now.
  auto settled = SettlePendingAttempts(-1);
  if (!settled) return std::unexpected(settled.error());
  // Filled after recovery, so the cache reflects recovered outcomes too.
  auto current = store_.ListCurrentPlans();
  if (!current) return std::unexpected(current.error());
  for (const AccountStore::CurrentPlan& plan : *current) {
    entitlements_.Set(plan.payer_id, {plan.payer_type, plan.external_id, plan.plan_slug,
                                      HasAccess(plan.status, options_)});
  }
  return Ok();
}

std::chrono::milliseconds BillingService::WaitAfterPendingAnswer(int answers_before) const {
  std::chrono::milliseconds wait = pending_look_ups_.first;
  for (int i = 0; i < answers_before && wait < pending_look_ups_.most; ++i) wait *= 2;
  return std::min(wait, pending_look_ups_.most);
}

Result<std::size_t> BillingService::SettlePendingAttempts(int limit) {
  auto taken = store_.TakePendingAttempts(limit);
  if (!taken) return std::unexpected(taken.error());
  std::size_t settled = 0;
  for (const TakenAttempt& held : *taken) {
    auto guard = payer_locks_.Lock(held.payer_id);
    auto account = store_.LoadAccount(held.payer_id);
    if (!account) return std::unexpected(account.error());
    if (!*account) continue;
    const PaymentAttempt* attempt = (*account)->FindAttempt(held.attempt_id);
    if (attempt == nullptr) continue;  // settled since it was taken
    const std::string attempt_id = attempt->id;
    // The outcome belongs to the instant the charge was asked for, as it would have without
    // the crash or the pause; looking the charge up first makes sure it is charged at most once.
    const Instant asked_at = attempt->created_at;
    Transition transition;
    transition.charges.push_back(attempt_id);
    AccountChange change{**account, "", std::nullopt};
    auto driven = DriveCharges(**account, transition, change, *catalog_.Current(), asked_at,
                               Ask::kLookUpFirst, held.still_pending_answers);
    const PaymentAttempt* after = (*account)->FindAttempt(attempt_id);
    const bool still_pending = after != nullptr && after->status == AttemptStatus::kPending;
    if (driven && !still_pending) ++settled;
    if (!driven && driven.error().code == "attempt_lease_lost") {
      Log(clock_.Now(), "warn", "pending_charge_lease_lost",
          {{"payer_id", held.payer_id},
           {"attempt_id", attempt_id},
           {"then", "the node holding the attempt now settles it"}});
      continue;
    }
    Log(clock_.Now(), driven ? "info" : "error",
        driven && still_pending ? "pending_charge_still_pending" : "pending_charge_settled",
        {{"payer_id", held.payer_id},
         {"attempt_id", attempt_id},
         {"error", driven ? "" : driven.error().message}});
  }
  return settled;
}

namespace {

// The entitlement entry of `account`; none without a current item.
std::optional<EntitlementEntry> EntryOf(const Account& account, const LifecycleOptions& options) {
  const SubscriptionItem* current = account.CurrentItem();
  if (current == nullptr) return std::nullopt;
  return EntitlementEntry{account.payer.type, account.payer.external_id, current->plan_slug,
                          HasAccess(current->status, options), account.payer.version};
}

}  // namespace

void BillingService::Cache(const Account& account) {
  if (std::optional<EntitlementEntry> entry = EntryOf(account, options_)) {
    entitlements_.Set(account.payer.id, std::move(*entry));
  }
}

Result<std::optional<EntitlementEntry>> BillingService::Entitlement(const std::string& payer_id) {
  std::optional<EntitlementEntry> held = entitlements_.Get(payer_id);
  if (shared_ == nullptr) return held;
  auto stored = shared_->PayerVersion(payer_id);
  if (!stored) return std::unexpected(stored.error());
  if (!*stored) return std::nullopt;
  if (held && held->payer_version == **stored) return held;
  // Another node changed the payer (or made it): the entry is made again from the account. Not
  // under the payer's lock, so it may land after a newer one of a change here; the next read's
  // check sees the version differ and makes it again.
  auto loaded = store_.LoadAccount(payer_id);
  if (!loaded) return std::unexpected(loaded.error());
  if (!*loaded) return std::nullopt;
  Cache(**loaded);
  return EntryOf(**loaded, options_);
}

Result<std::shared_ptr<const Catalog>> BillingService::CatalogForChange() {
  if (shared_ != nullptr) {
    if (auto followed = catalog_.Follow(); !followed) return std::unexpected(followed.error());
  }
  return catalog_.Current();
}

Result<AccountChange> BillingService::Commit(const Account* before, Account after,
                                             Transition transition, const Catalog& catalog,
                                             Instant now) {
  const std::vector<StoredEvent> events = RenderEvents(transition.events, after, catalog);
  return Store(before, std::move(after), std::move(transition), events, catalog, now, {});
}

std::vector<StoredEvent> BillingService::RenderEvents(const std::vector<BillingEvent>& events,
                                                      const Account& after,
                                                      const Catalog& catalog) {
  std::vector<StoredEvent> stored;
  const std::shared_ptr<const PlanTexts> plan_texts =
      bodies_ == EventBodies::kRendered ? plan_texts_.For(catalog) : nullptr;
  const RenderContext render{catalog,          after.payer,   after.payment_methods, instance_id_,
                             plan_texts.get(), gateway_name_, gateway_account_id_};
  for (const BillingEvent& event : events) {
    std::string body;
    if (bodies_ == EventBodies::kRendered) {
      const nlohmann::json envelope = EventEnvelope(event, render, after.items);
      body = plan_texts ? DumpWithPlans(envelope, *plan_texts) : envelope.dump();
    }
    stored.push_back({row_ids_.NewId("evt"), std::string(EventTypeName(event.type)), after.payer.id,
                      event.occurred_at, std::move(body)});
  }
  return stored;
}

Result<AccountChange> BillingService::Store(const Account* before, Account after,
                                            Transition transition,
                                            const std::vector<StoredEvent>& events,
                                            const Catalog& catalog, Instant now,
                                            const std::vector<DueWork>& completes_work) {
  if (auto saved =
          store_.SaveTransition(before, after, events, transition.scheduled, completes_work);
      !saved) {
    return std::unexpected(saved.error());
  }
  after.payer.version = before == nullptr ? 1 : before->payer.version + 1;
  Cache(after);
  AccountChange change{std::move(after), transition.item_id, std::nullopt};
  if (!transition.charges.empty()) {
    if (auto driven = DriveCharges(change.account, transition, change, catalog, now); !driven) {
      return std::unexpected(driven.error());
    }
  }
  return change;
}

Status BillingService::DriveCharges(Account& account, Transition& transition, AccountChange& change,
                                    const Catalog& catalog, Instant now, Ask ask,
                                    int still_pending_answers) {
  struct Charge {
    std::string attempt_id;
    Ask how;
    int still_pending_answers;
  };
  std::vector<Charge> pending;
  for (std::string& attempt_id : transition.charges) {
    pending.push_back({std::move(attempt_id), ask, still_pending_answers});
  }
  transition.charges.clear();
  while (!pending.empty()) {
    const auto [attempt_id, how, answers_before] = pending.front();
    pending.erase(pending.begin());
    const PaymentAttempt* attempt = account.FindAttempt(attempt_id);
    if (attempt == nullptr || attempt->status != AttemptStatus::kPending) continue;
    auto outcome = AskGateway(account, *attempt, how);
    if (!outcome) {
      // The attempt stays pending, held by this node until its lease is over; then a pass of
      // SettlePendingAttempts, on this node or another, asks the gateway about it with the
      // same key. Unavailable: whether it charged is not known.
      if (outcome.error().kind == ErrorKind::kUnavailable) {
        Log(clock_.Now(), "error", "charge_outcome_unknown",
            {{"payer_id", account.payer.id},
             {"attempt_id", attempt_id},
             {"code", outcome.error().code},
             {"error", outcome.error().message},
             {"then",
              "the attempt stays pending until the gateway is asked again once its lease is "
              "over"}});
      }
      return std::unexpected(outcome.error());
    }
    // A pending answer leaves the attempt pending: a notice settles it, or a later pass of
    // SettlePendingAttempts asks again, each wait twice the one before.
    if (outcome->status == ChargeStatus::kPending) {
      const std::chrono::milliseconds wait = WaitAfterPendingAnswer(answers_before);
      if (Status postponed = store_.PostponePendingAttempt(attempt_id, wait); !postponed) {
        Log(clock_.Now(), "warn", "pending_charge_not_postponed",
            {{"payer_id", account.payer.id},
             {"attempt_id", attempt_id},
             {"error", postponed.error().message},
             {"then", "the gateway is asked again once the attempt's lease is over"}});
      }
      continue;
    }
    auto more = CommitOutcome(account, attempt_id, *outcome, change, catalog, now);
    if (!more) return std::unexpected(more.error());
    for (std::string& next : *more) pending.push_back({std::move(next), Ask::kCharge, 0});
  }
  change.account = account;
  return Ok();
}

Result<ChargeOutcome> BillingService::AskGateway(const Account& account,
                                                 const PaymentAttempt& attempt, Ask ask) {
  if (attempt.amount == 0) {
    return ChargeOutcome{ChargeStatus::kPaid};  // fully covered by a credit: nothing to ask
  }
  auto customer = CustomerOf(account.payer);
  if (!customer) return std::unexpected(customer.error());
  if (ask == Ask::kLookUpFirst) {
    auto known = gateway_.LookUpCharge({*customer, attempt.idempotency_key, ""});
    if (known || known.error().kind != ErrorKind::kNotFound) return known;
    // The gateway never saw the charge: it is made now, with the same key.
  }
  std::string token;
  for (const PaymentMethod& method : account.payment_methods) {
    if (method.id == attempt.payment_method_id) token = method.token;
  }
  return gateway_.Charge({*customer, token, attempt.amount, attempt.currency,
                          attempt.idempotency_key, "recur " + attempt.item_id, account.payer.id,
                          attempt.id, attempt.item_id, attempt.period_start, attempt.period_end});
}

Result<std::vector<std::string>> BillingService::CommitOutcome(
    Account& account, const std::string& attempt_id, const ChargeOutcome& outcome,
    AccountChange& change, const Catalog& catalog, Instant now) {
  Account before = account;
  const LifecycleContext context{catalog, row_ids_, options_, now};
  auto settled = ApplyChargeOutcome(account, attempt_id, outcome, context);
  if (!settled) return std::unexpected(settled.error());
  const PaymentAttempt* attempt = account.FindAttempt(attempt_id);
  if (attempt->status == AttemptStatus::kFailed &&
      ChargeTypeOf(attempt->purpose) == ChargeType::kCheckout) {
    change.declined = *attempt;
  }
  std::vector<std::string> more = std::move(settled->charges);
  settled->charges.clear();
  auto committed = Commit(&before, account, std::move(*settled), catalog, now);
  if (!committed) return std::unexpected(committed.error());
  account = committed->account;
  return more;
}

Result<std::string> BillingService::CustomerOf(const Payer& payer) {
  if (payer.gateway_customer_id) return *payer.gateway_customer_id;
  return gateway_.EnsureCustomer({payer.id, payer.email, payer.name});
}

Result<std::string> BillingService::KeptCustomerOf(const Account& account) {
  auto customer = CustomerOf(account.payer);
  if (!customer || account.payer.gateway_customer_id == *customer) return customer;
  auto kept = Mutate(account.payer.id, [&](Account& after, const LifecycleContext&) {
    return KeepGatewayCustomer(after, *customer);
  });
  if (!kept) return std::unexpected(kept.error());
  return customer;
}

Result<std::optional<GatewayNotice>> BillingService::ReadGatewayNotice(
    const GatewayMessage& message) {
  return gateway_.ReadNotice(message);
}

Result<AppliedNotice> BillingService::ApplyGatewayNotice(const GatewayMessage& message) {
  auto notice = ReadGatewayNotice(message);
  if (!notice) return std::unexpected(notice.error());
  if (!*notice) return AppliedNotice{NoticeEffect::kIgnored, std::nullopt};
  return ApplyNotice(**notice);
}

Result<AppliedNotice> BillingService::ApplyNotice(const GatewayNotice& notice) {
  switch (notice.kind) {
    case GatewayNotice::Kind::kChargeOutcome:
      return ApplyChargeNotice(notice.charge);
    case GatewayNotice::Kind::kCardSaved:
    case GatewayNotice::Kind::kCardDetached:
    case GatewayNotice::Kind::kCustomerDeleted:
      return ApplyCardNotice(notice);
  }
  return AppliedNotice{NoticeEffect::kIgnored, std::nullopt};
}

Result<AppliedNotice> BillingService::ApplyCardNotice(const GatewayNotice& notice) {
  bool changed = false;
  const std::string method_id = row_ids_.NewId("cpm");
  auto change =
      Mutate(notice.payer_id,
             [&](Account& account, const LifecycleContext& context) -> Result<Transition> {
               changed = false;
               if (account.payer.gateway_customer_id &&
                   *account.payer.gateway_customer_id != notice.customer) {
                 return Transition{};  // about a customer the payer no longer has
               }
               const PaymentMethod* saved = FindPaymentMethod(account, notice.card.token);
               switch (notice.kind) {
                 case GatewayNotice::Kind::kCardSaved: {
                   if (saved != nullptr) return Transition{};
                   changed = true;
                   const CardDetails& card = notice.card;
                   return recur::AddPaymentMethod(account,
                                                  {method_id, card.token, card.brand, card.last4,
                                                   card.exp_month, card.exp_year, context.now},
                                                  false, context);
                 }
                 case GatewayNotice::Kind::kCardDetached:
                   if (saved == nullptr) return Transition{};
                   changed = true;
                   return recur::RemovePaymentMethod(account, saved->id,
                                                     DefaultCardRule::kGatewayDetachedIt);
                 case GatewayNotice::Kind::kCustomerDeleted:
                   if (!account.payer.gateway_customer_id) return Transition{};
                   changed = true;
                   return KeepGatewayCustomer(account, "");
                 case GatewayNotice::Kind::kChargeOutcome:
                   break;
               }
               return Transition{};
             });
  if (!change) return std::unexpected(change.error());
  if (!changed) return AppliedNotice{NoticeEffect::kNothingToChange, std::nullopt};
  if (notice.kind == GatewayNotice::Kind::kCardSaved &&
      change->account.payer.default_payment_method_id == method_id) {
    // The payer's first card: the customer's default at the gateway too, as when it is posted.
    if (Status set = gateway_.SetDefaultCard({notice.customer, notice.card.token}); !set) {
      Log(clock_.Now(), "warn", "default_card_not_set_at_gateway",
          {{"payer_id", notice.payer_id}, {"error", set.error().message}});
    }
  }
  switch (notice.kind) {
    case GatewayNotice::Kind::kCardSaved:
      return AppliedNotice{NoticeEffect::kCardSaved, std::nullopt};
    case GatewayNotice::Kind::kCardDetached:
      return AppliedNotice{NoticeEffect::kCardForgotten, std::nullopt};
    default:
      return AppliedNotice{NoticeEffect::kCustomerForgotten, std::nullopt};
  }
}

Result<AppliedNotice> BillingService::ApplyChargeNotice(const ChargeNotice& said) {
  auto guard = payer_locks_.Lock(said.payer_id);
  auto loaded = GetAccount(said.payer_id);
  if (!loaded) return std::unexpected(loaded.error());
  Account& account = *loaded;
  std::optional<PaymentAttempt> attempt;
  if (const PaymentAttempt* pending = account.FindAttempt(said.attempt_id)) attempt = *pending;
  if (!attempt) {
    auto settled = FindSettledAttempt(said.payer_id, said.attempt_id);
    if (!settled) return std::unexpected(settled.error());
    attempt = std::move(*settled);
  }
  if (!attempt) {
    return MakeError(ErrorKind::kNotFound, "attempt_not_found",
                     "payer " + said.payer_id + " has no payment attempt " + said.attempt_id);
  }
  if (attempt->idempotency_key != said.idempotency_key) {
    return MakeError(ErrorKind::kInvalidArgument, "notice_mismatch",
                     "the notice is about the charge with key \"" + said.idempotency_key +
                         "\", but attempt " + attempt->id + " was charged with key \"" +
                         attempt->idempotency_key + "\"");
  }
  if (attempt->status != AttemptStatus::kPending) {
    return AppliedNotice{NoticeEffect::kAlreadySettled, std::move(attempt)};
  }
  if (said.outcome.status == ChargeStatus::kPending) {
    return AppliedNotice{NoticeEffect::kStillPending, std::move(attempt)};
  }
  auto now = NowFor(account.payer.test_clock_id);
  if (!now) return std::unexpected(now.error());
  std::shared_ptr<const Catalog> catalog = catalog_.Current();
  AccountChange change{account, attempt->item_id, std::nullopt};
  auto more = CommitOutcome(account, attempt->id, said.outcome, change, *catalog, *now);
  if (!more) return std::unexpected(more.error());
  AppliedNotice applied{NoticeEffect::kSettled, *account.FindAttempt(attempt->id)};
  Transition follow;
  follow.charges = std::move(*more);
  if (auto driven = DriveCharges(account, follow, change, *catalog, *now); !driven) {
    return std::unexpected(driven.error());
  }
  return applied;
}

Result<std::optional<PaymentAttempt>> BillingService::FindSettledAttempt(
    const std::string& payer_id, const std::string& attempt_id) {
  ListOptions options{.limit = 100};
  while (true) {
    auto page = store_.ListPaymentAttempts(payer_id, options);
    if (!page) return std::unexpected(page.error());
    for (PaymentAttempt& attempt : page->data) {
      if (attempt.id == attempt_id) return std::move(attempt);
    }
    if (!page->has_more || page->data.empty()) return std::nullopt;
    options.starting_after = page->data.back().id;
  }
}

Result<Instant> BillingService::NowFor(const std::optional<std::string>& test_clock_id) {
  if (!test_clock_id) return clock_.Now();
  auto test_clock = test_clocks_.GetTestClock(*test_clock_id);
  if (!test_clock) return std::unexpected(test_clock.error());
  if (!*test_clock) {
    return MakeError(ErrorKind::kNotFound, "test_clock_not_found",
                     "no test clock " + *test_clock_id, "test_clock");
  }
  return (*test_clock)->frozen_time;
}

template <typename Change>
Result<AccountChange> BillingService::Mutate(const std::string& payer_id, Change&& change) {
  auto guard = payer_locks_.Lock(payer_id);
  auto loaded = GetAccount(payer_id);
  if (!loaded) return std::unexpected(loaded.error());
  const Account& before = *loaded;
  auto now = NowFor(before.payer.test_clock_id);
  if (!now) return std::unexpected(now.error());
  Account after = before;
  auto catalog = CatalogForChange();
  if (!catalog) return std::unexpected(catalog.error());
  const LifecycleContext context{**catalog, row_ids_, options_, *now};
  auto transition = change(after, context);
  if (!transition) return std::unexpected(transition.error());
  if (payment_attempts_ != nullptr && AsksForACharge(after, *transition)) {
    if (auto allowed = payment_attempts_->Take(payer_id); !allowed) {
      return std::unexpected(allowed.error());
    }
  }
  return Commit(&before, std::move(after), std::move(*transition), **catalog, *now);
}

Result<Account> BillingService::CreatePayer(const NewPayer& payer) {
  if (auto valid = ValidateNewPayer(payer); !valid) return std::unexpected(valid.error());
  auto guard = payer_locks_.Lock("external:" + payer.external_id);
  auto existing = store_.FindPayerId(payer.type, payer.external_id);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) {
    return MakeError(ErrorKind::kAlreadyExists, "payer_exists",
                     "a " + std::string(PayerTypeName(payer.type)) + " payer with external_id " +
                         payer.external_id + " exists already: " + **existing,
                     "external_id");
  }
  if (payer.test_clock) {
    auto test_clock = test_clocks_.GetTestClock(*payer.test_clock);
    if (!test_clock) return std::unexpected(test_clock.error());
    if (!*test_clock || (*test_clock)->status == TestClockStatus::kDeleted) {
      return MakeError(ErrorKind::kNotFound, "test_clock_not_found",
                       "no test clock " + *payer.test_clock, "test_clock");
    }
  }
  auto now = NowFor(payer.test_clock);
  if (!now) return std::unexpected(now.error());
  Account account;
  account.payer.id = payer_ids_.NewId("cpayer");
  account.payer.external_id = payer.external_id;
  account.payer.type = payer.type;
  account.payer.email = payer.email;
  account.payer.name = payer.name;
  account.payer.image_url = payer.image_url;
  account.payer.test_clock_id = payer.test_clock;
  account.payer.subscription_id = row_ids_.NewId("csub");
  account.payer.created_at = *now;
  auto catalog = CatalogForChange();
  if (!catalog) return std::unexpected(catalog.error());
  const LifecycleContext context{**catalog, row_ids_, options_, *now};
  auto transition = StartPayer(account, context);
  if (!transition) return std::unexpected(transition.error());
  auto committed = Commit(nullptr, std::move(account), std::move(*transition), **catalog, *now);
  if (!committed) return std::unexpected(committed.error());
  return std::move(committed->account);
}

Result<Account> BillingService::GetAccount(const std::string& payer_id) {
  auto loaded = store_.LoadAccount(payer_id);
  if (!loaded) return std::unexpected(loaded.error());
  if (!*loaded) {
    return std::unexpected(PayerNotFound(payer_id));
  }
  return std::move(**loaded);
}

Result<Page<Account>> BillingService::ListPayers(const std::string& query,
                                                 const ListOptions& options) {
  auto ids = store_.ListPayerIds(query, options);
  if (!ids) return std::unexpected(ids.error());
  Page<Account> page{{}, ids->has_more};
  page.data.reserve(ids->data.size());
  for (const std::string& id : ids->data) {
    auto account = GetAccount(id);
    if (!account) return std::unexpected(account.error());
    page.data.push_back(std::move(*account));
  }
  return page;
}

Result<std::optional<Account>> BillingService::FindAccount(PayerType type,
                                                           const std::string& external_id) {
  auto payer_id = store_.FindPayerId(type, external_id);
  if (!payer_id) return std::unexpected(payer_id.error());
  if (!*payer_id) return std::optional<Account>();
  auto account = GetAccount(**payer_id);
  if (!account) return std::unexpected(account.error());
  return std::optional<Account>(std::move(*account));
}

Result<CardSetup> BillingService::StartCardSetup(const std::string& payer_id) {
  auto account = GetAccount(payer_id);
  if (!account) return std::unexpected(account.error());
  auto customer = KeptCustomerOf(*account);
  if (!customer) return std::unexpected(customer.error());
  return gateway_.StartCardSetup(*customer);
}

Result<PaymentMethod> BillingService::AddPaymentMethod(const std::string& payer_id,
                                                       const std::string& token,
                                                       bool make_default) {
  auto payer = GetAccount(payer_id);
  if (!payer) return std::unexpected(payer.error());
  // The customer is kept on the payer with the card it saves, in the card's transaction: a card
  // the gateway refuses changes nothing.
  auto customer = CustomerOf(payer->payer);
  if (!customer) return std::unexpected(customer.error());
  if (const PaymentMethod* saved = FindPaymentMethod(*payer, token); saved && saved->id == token) {
    const PaymentMethod method = *saved;
    if (!make_default || payer->payer.default_payment_method_id == method.id) return method;
    if (Status set = gateway_.SetDefaultCard({*customer, method.token}); !set) {
      return std::unexpected(set.error());
    }
    auto change = Mutate(payer_id, [&](Account& account, const LifecycleContext&) {
      account.payer.gateway_customer_id = *customer;
      return SetDefaultPaymentMethod(account, method.id);
    });
    if (!change) return std::unexpected(change.error());
    return method;
  }
  auto card = gateway_.Attach({*customer, token});
  if (!card) {
    Error error = card.error();
    error.param = "token";
    return std::unexpected(error);
  }
  if (card->attached_before) {
    // Saved already, most likely by the gateway's notice of the setup that attached it.
    if (const PaymentMethod* saved = FindPaymentMethod(*payer, card->token)) {
      return AddPaymentMethod(payer_id, saved->id, make_default);
    }
  }
  if (make_default || !payer->payer.default_payment_method_id) {
    if (Status set = gateway_.SetDefaultCard({*customer, card->token}); !set) {
      return std::unexpected(set.error());
    }
  }
  const std::string method_id = row_ids_.NewId("cpm");
  auto change = Mutate(payer_id, [&](Account& account, const LifecycleContext& c) {
    account.payer.gateway_customer_id = *customer;
    return recur::AddPaymentMethod(
        account,
        {method_id, card->token, card->brand, card->last4, card->exp_month, card->exp_year, c.now},
        make_default, c);
  });
  if (!change) return std::unexpected(change.error());
  for (const PaymentMethod& method : change->account.payment_methods) {
    if (method.id == method_id) return method;
  }
  return MakeError(ErrorKind::kInternal, "payment_method_lost", "the payment method was not kept");
}

Status BillingService::RemovePaymentMethod(const std::string& payer_id, const std::string& method) {
  auto account = GetAccount(payer_id);
  if (!account) return std::unexpected(account.error());
  const PaymentMethod* found = FindPaymentMethod(*account, method);
  const std::string method_id = found != nullptr ? found->id : method;
  Account refused_or_not = *account;  // the rule is checked before the gateway is asked
  if (auto allowed = recur::RemovePaymentMethod(refused_or_not, method_id); !allowed) {
    return std::unexpected(allowed.error());
  }
  auto customer = CustomerOf(account->payer);
  if (!customer) return std::unexpected(customer.error());
  if (Status detached = gateway_.Detach({*customer, found->token}); !detached) {
    return std::unexpected(detached.error());
  }
  auto change = Mutate(payer_id, [&](Account& after, const LifecycleContext&) {
    return recur::RemovePaymentMethod(after, method_id);
  });
  if (!change) return std::unexpected(change.error());
  return Ok();
}

Result<AccountChange> BillingService::Subscribe(const std::string& payer_id,
                                                const SubscribeRequest& request) {
  return Mutate(payer_id, [&](Account& account, const LifecycleContext& context) {
    return recur::Subscribe(account, request, context);
  });
}

Result<std::string> BillingService::PayerOfItem(const std::string& item_id) {
  auto payer = store_.FindPayerIdOfItem(item_id);
  if (!payer) return std::unexpected(payer.error());
  if (!*payer) {
    return std::unexpected(ItemNotFound(item_id));
  }
  return **payer;
}

Result<AccountChange> BillingService::Cancel(const std::string& item_id, bool end_now) {
  auto payer_id = PayerOfItem(item_id);
  if (!payer_id) return std::unexpected(payer_id.error());
  return Mutate(*payer_id, [&](Account& account, const LifecycleContext& context) {
    return recur::Cancel(account, item_id, end_now, context);
  });
}

Result<AccountChange> BillingService::ExtendTrial(const std::string& item_id, Instant extend_to) {
  auto payer_id = PayerOfItem(item_id);
  if (!payer_id) return std::unexpected(payer_id.error());
  return Mutate(*payer_id, [&](Account& account, const LifecycleContext& context) {
    return recur::ExtendTrial(account, item_id, extend_to, context);
  });
}

bool RunsInTheSameTransaction(const Transition& so_far, const DueWork& next) {
  if (!so_far.charges.empty()) return false;
  return std::ranges::none_of(so_far.scheduled,
                              [&](const DueWork& work) { return work.due_at < next.due_at; });
}

Result<std::size_t> BillingService::RunDue(std::span<const DueWork> pieces) {
  if (pieces.empty()) return 0;
  const std::string& payer_id = pieces.front().payer_id;
  auto guard = payer_locks_.Lock(payer_id);
  auto loaded = GetAccount(payer_id);
  if (!loaded) return std::unexpected(loaded.error());
  const Account& before = *loaded;
  std::shared_ptr<const Catalog> catalog = catalog_.Current();
  Account after = before;
  Transition together;
  std::vector<StoredEvent> events;
  std::vector<DueWork> done;
  Instant now = pieces.front().due_at;
  for (const DueWork& piece : pieces) {
    if (piece.payer_id != payer_id) {
      return MakeError(ErrorKind::kInternal, "mixed_payers",
                       "due work " + std::to_string(piece.id) + " is not payer " + payer_id + "'s");
    }
    if (!done.empty() && !RunsInTheSameTransaction(together, piece)) break;
    Account next = after;
    const LifecycleContext context{*catalog, row_ids_, options_, piece.due_at};
    auto transition = RunDueWork(next, piece, context);
    if (!transition) {
      if (done.empty()) return std::unexpected(transition.error());
      break;  // what ran before it is stored; it fails again on its own at the next read
    }
    std::ranges::move(RenderEvents(transition->events, next, *catalog), std::back_inserter(events));
    std::ranges::move(transition->scheduled, std::back_inserter(together.scheduled));
    std::ranges::move(transition->charges, std::back_inserter(together.charges));
    together.item_id = transition->item_id;
    after = std::move(next);
    now = piece.due_at;
    done.push_back(piece);
  }
  auto stored = Store(&before, std::move(after), std::move(together), events, *catalog, now, done);
  if (!stored) return std::unexpected(stored.error());
  return done.size();
}

Result<Page<PaymentAttempt>> BillingService::ListPaymentAttempts(const std::string& payer_id,
                                                                 const ListOptions& options) {
  return store_.ListPaymentAttempts(payer_id, options);
}

Result<Page<StoredEvent>> BillingService::ListEvents(const std::string& payer_id,
                                                     const std::string& type,
                                                     const ListOptions& options) {
  return store_.ListEvents(payer_id, type, options);
}

}  // namespace recur
