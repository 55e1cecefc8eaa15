#include "store/postgres/postgres_row_writes.h"

namespace recur {
namespace {

void AddValue(PgParams& params, const SqlValue& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) {
    params.Add(*number);
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    params.Add(*text);
  } else {
    params.Add(std::nullopt);
  }
}

}  // namespace

PgStatement InsertRowStatement(std::string_view table, const std::string& id,
                               const std::vector<Column>& columns) {
  PgStatement insert;
  insert.sql.append("INSERT INTO ").append(table).append(" (");
  for (const Column& column : columns) {
    insert.sql.append(column.name).append(", ");
    AddValue(insert.params, column.value);
  }
  insert.sql.append("id) VALUES (");
  for (std::size_t i = 1; i <= columns.size(); ++i)
    insert.sql.append("$" + std::to_string(i) + ", ");
  insert.sql.append("$" + std::to_string(columns.size() + 1) + ")");
  insert.params.Add(id);
  return insert;
}

std::optional<PgStatement> UpdateChangedColumnsStatement(std::string_view table,
                                                         const std::string& id,
                                                         const std::vector<Column>& before,
                                                         const std::vector<Column>& after) {
  const std::vector<const Column*> changed = ChangedColumns(before, after);
  if (changed.empty()) return std::nullopt;
  PgStatement update;
  update.sql.append("UPDATE ").append(table).append(" SET ");
  int index = 0;
  for (const Column* column : changed) {
    if (index > 0) update.sql.append(", ");
    update.sql.append(column->name).append(" = $" + std::to_string(++index));
    AddValue(update.params, column->value);
  }
  update.sql.append(" WHERE id = $" + std::to_string(++index));
  update.params.Add(id);
  return update;
}

}  // namespace recur
