// Writing a row given as a list of columns and their values. InsertRow writes every column.
// UpdateChangedColumns sets only the columns whose values differ from the row as stored:
// SQLite rewrites the entry of every index on a column an UPDATE sets, changed or not, and on
// a table with a payer's index that is a random page written per update.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "base/clock.h"

namespace recur {

// A column's value as SQLite stores it; monostate is NULL.
using SqlValue = std::variant<std::monostate, std::int64_t, std::string>;

struct Column {
  std::string_view name;
  SqlValue value;
};

// Unix milliseconds, or NULL for none.
SqlValue MillisValue(Instant instant);
SqlValue MillisValue(const std::optional<Instant>& instant);

// INSERT INTO table (columns..., id) VALUES (...).
void InsertRow(SQLite::Database& db, std::string_view table, const std::string& id,
               const std::vector<Column>& columns);

// UPDATE table SET <the columns of `after` whose values differ from `before`> WHERE id = ?.
// Both lists name the same columns in the same order. Writes nothing when nothing differs.
void UpdateChangedColumns(SQLite::Database& db, std::string_view table, const std::string& id,
                          const std::vector<Column>& before, const std::vector<Column>& after);

}  // namespace recur
