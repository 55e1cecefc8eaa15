#include "store/postgres/pg_result.h"

#include <charconv>
#include <stdexcept>

namespace recur {
namespace {

std::int64_t ParseInt64(const char* text, int length) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text, text + length, value);
  if (error != std::errc() || end != text + length) {
    throw std::runtime_error("a stored number does not read as one: " + std::string(text, length));
  }
  return value;
}

}  // namespace

int PgResult::affected() const {
  const char* count = PQcmdTuples(result_.get());
  if (count == nullptr || *count == '\0') return 0;
  return static_cast<int>(
      ParseInt64(count, static_cast<int>(std::char_traits<char>::length(count))));
}

void PgResult::CheckCell(int row, int column) const {
  if (row < 0 || row >= rows() || column < 0 || column >= PQnfields(result_.get())) {
    throw std::runtime_error("a result has no row " + std::to_string(row) + ", column " +
                             std::to_string(column));
  }
}

std::string PgResult::Text(int row, int column) const {
  CheckCell(row, column);
  return std::string(PQgetvalue(result_.get(), row, column),
                     PQgetlength(result_.get(), row, column));
}

std::int64_t PgResult::Int64(int row, int column) const {
  if (IsNull(row, column)) throw std::runtime_error("a stored number is NULL");
  return ParseInt64(PQgetvalue(result_.get(), row, column),
                    PQgetlength(result_.get(), row, column));
}

int PgResult::Int(int row, int column) const { return static_cast<int>(Int64(row, column)); }

bool PgResult::Bool(int row, int column) const {
  CheckCell(row, column);
  const char* value = PQgetvalue(result_.get(), row, column);
  if (value[0] == 't') return true;
  if (value[0] == 'f') return false;
  throw std::runtime_error("a stored boolean does not read as one: " + std::string(value));
}

std::string PgResult::Bytes(int row, int column) const {
  CheckCell(row, column);
  std::size_t length = 0;
  unsigned char* bytes = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &length);
  if (bytes == nullptr) throw std::runtime_error("a stored bytea does not read as one");
  std::string copy(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return copy;
}

std::optional<std::string> PgResult::OptionalText(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Text(row, column);
}

std::optional<std::int64_t> PgResult::OptionalInt64(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int64(row, column);
}

std::optional<Instant> PgResult::OptionalInstant(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return InstantAt(row, column);
}

}  // namespace recur
