// BillingService's statements: the store's attempts grouped by statement, made into statements
// (domain/subscriptions/statement.h) at the payer's now; and one attempt by its id.
#include "services/billing/billing_service.h"
#include "services/billing/not_found.h"

namespace recur {

Result<Page<Statement>> BillingService::ListStatements(const Payer& payer,
                                                       const ListOptions& options) {
  auto now = NowFor(payer.test_clock_id);
  if (!now) return std::unexpected(now.error());
  auto stored = store_.ListStatements(payer.id, options);
  if (!stored) return std::unexpected(stored.error());
  Page<Statement> page{{}, stored->has_more};
  // Newest first: only the first of the first page may still be the payer's current cycle.
  bool later_exists = !options.starting_after.empty();
  for (StoredStatement& statement : stored->data) {
    page.data.push_back(MakeStatement(std::move(statement.id), std::move(statement.payer_id),
                                      std::move(statement.attempts), *now, later_exists));
    later_exists = true;
  }
  return page;
}

Result<Statement> BillingService::GetStatement(const std::string& statement_id) {
  auto stored = store_.LoadStatement(statement_id);
  if (!stored) return std::unexpected(stored.error());
  if (!*stored) return std::unexpected(StatementNotFound(statement_id));
  StoredStatement& statement = **stored;
  auto account = GetAccount(statement.payer_id);
  if (!account) return std::unexpected(account.error());
  auto now = NowFor(account->payer.test_clock_id);
  if (!now) return std::unexpected(now.error());
  auto newest = store_.ListStatements(statement.payer_id, {.limit = 1});
  if (!newest) return std::unexpected(newest.error());
  const bool later_exists = !newest->data.empty() && newest->data.front().id != statement.id;
  return MakeStatement(std::move(statement.id), std::move(statement.payer_id),
                       std::move(statement.attempts), *now, later_exists);
}

Result<std::string> BillingService::PayerOfStatement(const std::string& statement_id) {
  auto stored = store_.LoadStatement(statement_id);
  if (!stored) return std::unexpected(stored.error());
  if (!*stored) return std::unexpected(StatementNotFound(statement_id));
  return (*stored)->payer_id;
}

Result<AttemptOfPayer> BillingService::GetPaymentAttempt(const std::string& attempt_id) {
  auto stored = store_.LoadPaymentAttempt(attempt_id);
  if (!stored) return std::unexpected(stored.error());
  if (!*stored) return std::unexpected(AttemptNotFound(attempt_id));
  return std::move(**stored);
}

Result<std::string> BillingService::PayerOfAttempt(const std::string& attempt_id) {
  auto stored = GetPaymentAttempt(attempt_id);
  if (!stored) return std::unexpected(stored.error());
  return std::move(stored->payer_id);
}

}  // namespace recur
