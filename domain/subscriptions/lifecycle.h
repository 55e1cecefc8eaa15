// The subscription state machine, with Clerk Billing's semantics (docs/lifecycle.md): every
// change a payer's subscription can go through, decided purely from an Account, the catalog
// and `now`. Each function changes the Account in place and returns a Transition listing the
// events, the future work and the charges that the change implies; the caller stores the new
// Account with them in one transaction. On error the Account is left unchanged.
//
// Charges are never made here: a change that needs money creates a pending PaymentAttempt and
// names it in Transition::charges. The caller commits, asks the gateway (with the attempt's
// idempotency key), then reports the outcome (charge_outcome.h) through ApplyChargeOutcome,
// which is a transition of its own.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/ids.h"
#include "domain/catalog/catalog.h"
#include "domain/subscriptions/account.h"
#include "domain/subscriptions/billing_event.h"
#include "domain/subscriptions/charge_outcome.h"
#include "domain/subscriptions/due_work.h"

namespace recur {

struct LifecycleOptions {
  // When a past-due period is charged again, each delay counted from the failed charge that
  // made the item past due; when the last retry fails too, the item ends and the payer returns
  // to the free plan. Default: 1, 3, 5 and 7 days after that failure (four retries in a week,
  // the most a card update usually takes).
  std::vector<std::chrono::hours> dunning_retries{std::chrono::hours(24), std::chrono::hours(72),
                                                  std::chrono::hours(120), std::chrono::hours(168)};
  // Whether a past-due payer keeps the plan's entitlements during dunning. Default: yes, a
  // grace period, since most failures are recovered by a retry.
  bool past_due_keeps_access = true;
};

struct LifecycleContext {
  const Catalog& catalog;
  IdGenerator& ids;
  const LifecycleOptions& options;
  Instant now;
};

struct Transition {
  std::vector<BillingEvent> events;  // in the order they happened
  std::vector<DueWork> scheduled;    // future work to store
  std::vector<std::string> charges;  // ids of pending attempts to take to the gateway
  std::string item_id;               // the item the request was about, for the answer
};

struct SubscribeRequest {
  std::string plan;  // slug or plan version id (cplan_...)
  BillingInterval interval = BillingInterval::kMonth;
  std::optional<bool> free_trial;  // unset: a trial when the payer is eligible
};

// A new payer (account.payer filled in, no items) starts on the default plan of its type.
Result<Transition> StartPayer(Account& account, const LifecycleContext& context);

// A payer of `type` that does not exist, as it would be right after creation at `now`: on the
// default plan, eligible for a trial. Nothing is stored; its ids are placeholders
// ("cpayer_preview" and ids of a fixed seed), the same on every call.
Result<Account> PreviewNewPayer(PayerType type, const Catalog& catalog,
                                const LifecycleOptions& options, Instant now);

// Saves a payment method; the first one, or one marked default, becomes the default.
Result<Transition> AddPaymentMethod(Account& account, PaymentMethod method, bool make_default,
                                    const LifecycleContext& context);

// Subscribe, start a trial, upgrade (now, with proration), downgrade (at period end), switch
// during a trial (ends it, charges now), or resubscribe to a canceled item.
Result<Transition> Subscribe(Account& account, const SubscribeRequest& request,
                             const LifecycleContext& context);

// Cancels at period (or trial) end, or now. Cancelling an upcoming item abandons it.
Result<Transition> Cancel(Account& account, std::string_view item_id, bool end_now,
                          const LifecycleContext& context);

// Moves a running trial's end later, by at most 365 days beyond the current end.
Result<Transition> ExtendTrial(Account& account, std::string_view item_id, Instant extend_to,
                               const LifecycleContext& context);

// Applies the gateway's answer for a pending attempt:
//   paid             the attempt is paid; a checkout's item becomes current, a renewal's or
//                    conversion's period starts (a past-due item is active again).
//   declined         the attempt fails with the gateway's code and message; a checkout's item
//                    is left incomplete, a renewal or conversion goes past due and dunning
//                    starts, a failed dunning retry waits for the next one or ends the item.
//   requires_action  the attempt fails with code "authentication_required" (and the gateway's
//                    message and charge id), then exactly as declined.
//   pending          nothing changes and nothing happens (an empty Transition): the attempt
//                    stays pending until a later answer settles it.
// Reporting on an attempt that is settled already is an error (attempt_settled) and changes
// nothing; so is one on an unknown attempt (attempt_not_found).
Result<Transition> ApplyChargeOutcome(Account& account, std::string_view attempt_id,
                                      const ChargeOutcome& outcome,
                                      const LifecycleContext& context);

// Runs work that fell due. Stale work (the item moved on) returns an empty Transition.
Result<Transition> RunDueWork(Account& account, const DueWork& work,
                              const LifecycleContext& context);

// Whether a current item in this status grants its plan's features.
bool HasAccess(ItemStatus status, const LifecycleOptions& options);

}  // namespace recur
