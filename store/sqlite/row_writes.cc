#include "store/sqlite/row_writes.h"

#include <SQLiteCpp/Statement.h>

#include <stdexcept>

#include "store/sqlite/statement_cache.h"

namespace recur {
namespace {

void Bind(SQLite::Statement& statement, int index, const SqlValue& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) {
    statement.bind(index, *number);
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    statement.bind(index, *text);
  } else {
    statement.bind(index);  // NULL
  }
}

}  // namespace

void InsertRow(SQLite::Database& db, std::string_view table, const std::string& id,
               const std::vector<Column>& columns) {
  std::string sql = "INSERT INTO ";
  sql.append(table).append(" (");
  for (const Column& column : columns) sql.append(column.name).append(", ");
  sql.append("id) VALUES (");
  for (std::size_t i = 0; i < columns.size(); ++i) sql.append("?, ");
  sql.append("?)");
  StatementLease lease = Prepared(db, sql);
  SQLite::Statement& insert = *lease;
  int index = 1;
  for (const Column& column : columns) Bind(insert, index++, column.value);
  insert.bind(index, id);
  insert.exec();
}

void UpdateChangedColumns(SQLite::Database& db, std::string_view table, const std::string& id,
                          const std::vector<Column>& before, const std::vector<Column>& after) {
  const std::vector<const Column*> changed = ChangedColumns(before, after);
  if (changed.empty()) return;
  std::string sql = "UPDATE ";
  sql.append(table).append(" SET ");
  for (const Column* column : changed) {
    if (column != changed.front()) sql.append(", ");
    sql.append(column->name).append(" = ?");
  }
  sql.append(" WHERE id = ?");
  StatementLease lease = Prepared(db, sql);
  SQLite::Statement& update = *lease;
  int index = 1;
  for (const Column* column : changed) Bind(update, index++, column->value);
  update.bind(index, id);
  if (update.exec() != 1) throw std::runtime_error("no row " + id + " in " + std::string(table));
}

}  // namespace recur
