// Small helpers shared by the SQLite store's files: binding and reading optional values and
// instants (Unix milliseconds, NULL for none), and the storage_error every failure becomes.
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

namespace recur {

inline Error StorageFailure(std::string_view doing, const std::exception& error) {
  return {ErrorKind::kUnavailable, "storage_error",
          std::string(doing) + " failed: " + error.what()};
}

inline void BindOptional(SQLite::Statement& statement, int index,
                         const std::optional<std::int64_t>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind(index);  // NULL
  }
}

inline void BindInstant(SQLite::Statement& statement, int index, Instant value) {
  statement.bind(index, static_cast<std::int64_t>(ToUnixMillis(value)));
}

inline void BindInstant(SQLite::Statement& statement, int index,
                        const std::optional<Instant>& value) {
  BindOptional(statement, index,
               value ? std::optional<std::int64_t>(ToUnixMillis(*value)) : std::nullopt);
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
