#include "domain/subscriptions/statement.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>
#include <utility>

namespace recur {

std::string StatementIdOf(std::string_view payer_id, Instant cycle_start,
                          std::string_view currency) {
  const auto underscore = payer_id.find('_');
  const std::string_view body =
      underscore == std::string_view::npos ? payer_id : payer_id.substr(underscore + 1);
  std::string lower(currency);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "stmt_" + std::string(body) + "_" + std::to_string(ToUnixMillis(cycle_start)) + "_" +
         lower;
}

std::string_view StatementStatusName(StatementStatus status) {
  switch (status) {
    case StatementStatus::kOpen:
      return "open";
    case StatementStatus::kClosed:
      return "closed";
  }
  return "";
}

Statement MakeStatement(std::string id, std::string payer_id, std::vector<PaymentAttempt> attempts,
                        Instant now, bool next_cycle_started) {
  if (attempts.empty()) throw std::logic_error("a statement has at least one attempt");
  std::ranges::stable_sort(attempts, {}, &PaymentAttempt::created_at);
  Statement statement;
  statement.id = std::move(id);
  statement.payer_id = std::move(payer_id);
  statement.cycle_start = attempts.front().period_start;
  statement.cycle_end = attempts.front().period_end;
  statement.created_at = attempts.front().created_at;
  statement.currency = attempts.front().currency;
  for (const PaymentAttempt& attempt : attempts) {
    if (attempt.currency != statement.currency) {
      throw std::logic_error("the attempts of statement " + statement.id +
                             " are in more than one currency");
    }
    statement.cycle_end = std::max(statement.cycle_end, attempt.period_end);
    if (attempt.status == AttemptStatus::kPaid) statement.paid_total += attempt.amount;
  }
  statement.status = next_cycle_started || now >= statement.cycle_end ? StatementStatus::kClosed
                                                                      : StatementStatus::kOpen;
  // Newest day first; within a day, in the order made.
  for (auto it = attempts.rbegin(); it != attempts.rend();) {
    const Instant day = std::chrono::floor<std::chrono::days>(it->created_at);
    auto day_end = std::find_if(it, attempts.rend(), [&](const PaymentAttempt& attempt) {
      return std::chrono::floor<std::chrono::days>(attempt.created_at) != day;
    });
    StatementGroup group{day, {}};
    for (auto made = day_end; made != it;) group.attempts.push_back(*--made);
    statement.groups.push_back(std::move(group));
    it = day_end;
  }
  return statement;
}

}  // namespace recur
