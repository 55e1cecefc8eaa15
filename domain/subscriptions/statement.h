// Statements, as Clerk Billing has them: a payer's payment attempts grouped by billing cycle.
// A payer's billing cycle is the period its paid item is charged for, so a statement is the
// attempts of one payer whose charged period starts at one instant, in one currency: a trial's
// conversion and the dunning retries of that period share one; each renewal, and each checkout
// of a new plan (which starts a new period), opens the next. Two plans of different currencies
// charged for periods that start at the same instant (a declined checkout in dollars, then one
// in euros at once) make two statements, since a statement's totals are in one currency.
// The statement id is made from the payer id, the cycle's start and the currency
// (StatementIdOf), so an
// attempt is given its statement when it is created, in the transition that stores it, without
// reading the payer's earlier attempts; a retry of a period lands on the statement of the
// attempt it retries.
// A statement is open until its cycle closes: until the cycle's end has passed, or the payer's
// next cycle has begun (a plan change cuts the cycle short); then it is closed. Its totals count
// what was paid; its attempts are grouped by the UTC day they were made. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "domain/subscriptions/account.h"

namespace recur {

// "stmt_" + the payer id's body (after its prefix) + "_" + the cycle's start in Unix
// milliseconds + "_" + the currency in lower case, e.g.
// stmt_2g7np7Hrk0SN6kj5EDMLDaKNL0S_1735689600000_usd.
std::string StatementIdOf(std::string_view payer_id, Instant cycle_start,
                          std::string_view currency);

enum class StatementStatus { kOpen, kClosed };
std::string_view StatementStatusName(StatementStatus status);  // "open" | "closed"

// The attempts made on one UTC day, in the order they were made.
struct StatementGroup {
  Instant day;  // midnight UTC of that day
  std::vector<PaymentAttempt> attempts;
};

struct Statement {
  std::string id;
  std::string payer_id;
  Instant cycle_start;
  Instant cycle_end;   // the latest end of the periods its attempts charge for
  Instant created_at;  // when its first attempt was made
  StatementStatus status = StatementStatus::kOpen;
  std::string currency;                // its attempts'
  std::int64_t paid_total = 0;         // the sum of its paid attempts, minor units
  std::vector<StatementGroup> groups;  // newest day first
};

// The statement `id` of `payer_id` made of `attempts` (at least one, all carrying that id, in
// any order), as it stands at `now`; `next_cycle_started` says whether the payer has a later
// statement. Attempts whose currency differs from the first one's are a logic error: the
// currency is part of the statement's id.
Statement MakeStatement(std::string id, std::string payer_id, std::vector<PaymentAttempt> attempts,
                        Instant now, bool next_cycle_started);

}  // namespace recur
