// The answers for a payer or a subscription item that does not exist, made in one place: the
// HTTP edge gives a payer session the same answer for another payer's ids (payer_sessions.h),
// so that a session cannot tell another payer's ids from ids never made.
#pragma once

#include <string>

#include "base/error.h"

namespace recur {

// "payer_not_found" (kNotFound), naming the parameter "payer_id".
Error PayerNotFound(const std::string& payer_id);
// "item_not_found" (kNotFound), naming the parameter "id".
Error ItemNotFound(const std::string& item_id);
// "statement_not_found" (kNotFound), naming the parameter "id".
Error StatementNotFound(const std::string& statement_id);
// "attempt_not_found" (kNotFound), naming the parameter "id".
Error AttemptNotFound(const std::string& attempt_id);

}  // namespace recur
