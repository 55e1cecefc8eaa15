#include "services/billing/not_found.h"

namespace recur {

Error PayerNotFound(const std::string& payer_id) {
  return {ErrorKind::kNotFound, "payer_not_found", "no payer " + payer_id, "payer_id"};
}

Error ItemNotFound(const std::string& item_id) {
  return {ErrorKind::kNotFound, "item_not_found", "no subscription item " + item_id, "id"};
}

Error StatementNotFound(const std::string& statement_id) {
  return {ErrorKind::kNotFound, "statement_not_found", "no statement " + statement_id, "id"};
}

Error AttemptNotFound(const std::string& attempt_id) {
  return {ErrorKind::kNotFound, "attempt_not_found", "no payment attempt " + attempt_id, "id"};
}

}  // namespace recur
