#include "store/postgres/pg_errors.h"

#include <string>

#include "store/store_errors.h"

namespace recur {

Error PostgresFailure(const Doing& doing, std::string_view sqlstate, std::string_view message) {
  // libpq's messages end in a newline (and sometimes carry a second line of detail).
  std::string text(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (sqlstate == "23505") return Conflict(text).error();
  if (sqlstate == "40001" || sqlstate == "40P01") return ConcurrentChange(doing.Text()).error();
  if (sqlstate == kClaimLapsedSqlstate) {
    if (text.starts_with("ERROR:")) text.erase(0, text.find_first_not_of(' ', 6));
    return {ErrorKind::kUnavailable, "idempotency_claim_lapsed",
            doing.Text() + " refused: " + text};
  }
  if (sqlstate == "57014") {
    return {ErrorKind::kUnavailable, "storage_timeout",
            doing.Text() + " took longer than the statement timeout: " + text};
  }
  const bool server_gone = sqlstate.empty() || sqlstate.starts_with("08") ||
                           sqlstate.starts_with("53") || sqlstate == "57P01" ||
                           sqlstate == "57P02" || sqlstate == "57P03";
  if (server_gone) {
    return {ErrorKind::kUnavailable, "unavailable",
            doing.Text() + " failed: the database is unavailable: " + text};
  }
  return {ErrorKind::kUnavailable, "storage_error", doing.Text() + " failed: " + text};
}

}  // namespace recur
