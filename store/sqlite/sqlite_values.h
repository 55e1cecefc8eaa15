// Small helpers shared by the SQLite store's files: binding values to a statement's parameters
// and reading optional values and instants back (instants as Unix milliseconds, NULL for none),
// and what an exception at the SQLite edge becomes (SqliteFailure).
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include "base/clock.h"
#include "base/error.h"
#include "store/doing.h"
#include "store/sqlite/statement_cache.h"

namespace recur {

// How long a connection waits for a lock another connection (or process) holds on the database
// before its statement fails with SQLITE_BUSY.
inline constexpr int kSqliteBusyTimeoutMs = 5000;

// What an exception thrown at the SQLite edge becomes: a unique or primary key taken is a
// conflict (kAlreadyExists "conflict": the change conflicts with stored data); anything else is
// a storage_error (kUnavailable) saying what was being done. A fault of the database's file
// (locked past the busy timeout, disk full, read-only, an I/O error, cannot be opened) says so
// in words and names the file `database`, SQLite's own message following in parentheses.
[[nodiscard]] Error SqliteFailure(const Doing& doing, const std::exception& error,
                                  std::string_view database);

// Whether `error` is such a fault of the database's file, which may clear by itself (a lock let
// go, space freed), rather than a fault of the statement or of the data.
bool IsFileFault(const std::exception& error);

inline void BindValue(SQLite::Statement& statement, int index, const std::string& value) {
  statement.bind(index, value);
}
inline void BindValue(SQLite::Statement& statement, int index, std::string_view value) {
  statement.bind(index, std::string(value));
}
inline void BindValue(SQLite::Statement& statement, int index, const char* value) {
  statement.bind(index, value);
}
inline void BindValue(SQLite::Statement& statement, int index, std::int64_t value) {
  statement.bind(index, value);
}
inline void BindValue(SQLite::Statement& statement, int index, int value) {
  statement.bind(index, value);
}
inline void BindValue(SQLite::Statement& statement, int index, bool value) {
  statement.bind(index, value ? 1 : 0);
}
inline void BindValue(SQLite::Statement& statement, int index, Instant value) {
  statement.bind(index, static_cast<std::int64_t>(ToUnixMillis(value)));
}
inline void BindValue(SQLite::Statement& statement, int index, std::nullopt_t) {
  statement.bind(index);  // NULL
}
template <typename T>
void BindValue(SQLite::Statement& statement, int index, const std::optional<T>& value) {
  if (value) {
    BindValue(statement, index, *value);
  } else {
    statement.bind(index);  // NULL
  }
}

// Binds `values` to the statement's parameters 1, 2, ... in order (BindValue says how each
// type is stored).
template <typename... Values>
void BindValues(SQLite::Statement& statement, const Values&... values) {
  int index = 0;
  (BindValue(statement, ++index, values), ...);
}

// A statement of `sql` as Prepared(db, sql) gives it, with `values` bound to its parameters.
template <typename... Values>
StatementLease Prepared(SQLite::Database& db, const std::string& sql, const Values&... values) {
  StatementLease statement = Prepared(db, sql);
  BindValues(*statement, values...);
  return statement;
}

inline std::optional<std::int64_t> OptionalInt64(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

inline Instant InstantOf(const SQLite::Column& column) { return FromUnixMillis(column.getInt64()); }

inline std::optional<Instant> OptionalInstant(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return FromUnixMillis(column.getInt64());
}

inline std::optional<std::string> OptionalText(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getString();
}

}  // namespace recur
