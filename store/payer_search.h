// Finding payers by what an operator types (GET /v1/payers?query=, the console's search): the
// rule every store keeps (AccountStore::ListPayerIds), and the text ranges the SQL stores search
// their indexes with, so that no backend writes its own. Pure.
// A payer matches a query when its id is the query, its external id starts with it (an equal one
// included), or its email starts with it without regard to the case of ASCII letters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/subscriptions/account.h"

namespace recur {

bool PayerMatchesQuery(const Payer& payer, std::string_view query);

// `text` with the ASCII letters A to Z made lower case; every other byte as it is.
std::string AsciiLowercase(std::string_view text);

// The strings that start with a prefix, as a range of strings compared byte by byte (SQLite's
// BINARY collation, PostgreSQL's "C"): from <= s < to. `to` is none when nothing bounds the range
// from above (a prefix of U+10FFFF characters only). A prefix that is valid UTF-8 gives bounds
// that are valid UTF-8.
struct PrefixRange {
  std::string from;
  std::optional<std::string> to;
};
PrefixRange PrefixRangeOf(std::string_view prefix);

}  // namespace recur
