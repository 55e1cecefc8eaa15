// Statements writing a row given as a list of columns and their values (store/account_rows.h)
// on PostgreSQL, to be run in a pipeline with the rest of a transition. Integers go as text,
// which PostgreSQL also reads into boolean columns (1 and 0). An update sets only the columns
// that differ from the row as stored, so it touches no index on a column it does not change.
// Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/account_rows.h"
#include "store/postgres/pg_connection.h"

namespace recur {

// INSERT INTO table (columns..., id) VALUES ($1, ...).
PgStatement InsertRowStatement(std::string_view table, const std::string& id,
                               const std::vector<Column>& columns);

// UPDATE table SET <the columns of `after` that differ from `before`> WHERE id = $n; none when
// nothing differs. Both lists name the same columns in the same order.
std::optional<PgStatement> UpdateChangedColumnsStatement(std::string_view table,
                                                         const std::string& id,
                                                         const std::vector<Column>& before,
                                                         const std::vector<Column>& after);

}  // namespace recur
