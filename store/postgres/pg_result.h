// The result of one PostgreSQL statement (libpq's PGresult), owned: freed when the PgResult is.
// Values are read as text (libpq's text format) and parsed here: a value that does not parse
// as asked (a schema other than this binary's) throws std::runtime_error, which the edge of the
// store call (PgPool) turns into an error. Times are bigint Unix milliseconds.
// A PgResult is read by one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"

namespace recur {

class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}

  int rows() const { return PQntuples(result_.get()); }
  // Rows an INSERT, UPDATE or DELETE touched.
  int affected() const;

  bool IsNull(int row, int column) const {
    CheckCell(row, column);
    return PQgetisnull(result_.get(), row, column) != 0;
  }
  std::string Text(int row, int column) const;
  std::int64_t Int64(int row, int column) const;
  int Int(int row, int column) const;
  bool Bool(int row, int column) const;
  Instant InstantAt(int row, int column) const { return FromUnixMillis(Int64(row, column)); }
  // A bytea column's bytes.
  std::string Bytes(int row, int column) const;

  std::optional<std::string> OptionalText(int row, int column) const;
  std::optional<std::int64_t> OptionalInt64(int row, int column) const;
  std::optional<Instant> OptionalInstant(int row, int column) const;

 private:
  // Throws when the result has no such row or column (a query other than the reader expects).
  void CheckCell(int row, int column) const;

  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

}  // namespace recur
