// Writing a row given as a list of columns and their values (store/account_rows.h) on SQLite.
// InsertRow writes every column. UpdateChangedColumns sets only the columns whose values differ
// from the row as stored: SQLite rewrites the entry of every index on a column an UPDATE sets,
// changed or not, and on a table with a payer's index that is a random page written per update.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/account_rows.h"

namespace recur {

// INSERT INTO table (columns..., id) VALUES (...).
void InsertRow(SQLite::Database& db, std::string_view table, const std::string& id,
               const std::vector<Column>& columns);

// UPDATE table SET <the columns of `after` whose values differ from `before`> WHERE id = ?.
// Both lists name the same columns in the same order. Writes nothing when nothing differs.
void UpdateChangedColumns(SQLite::Database& db, std::string_view table, const std::string& id,
                          const std::vector<Column>& before, const std::vector<Column>& after);

}  // namespace recur
