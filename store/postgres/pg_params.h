// The parameters of one PostgreSQL statement ($1, $2, ...), as libpq takes them: each value as
// text (or, for bytea, as raw bytes in binary format), NULL for none. Instants go as Unix
// milliseconds (the schema's bigint times), booleans as true/false. A PgParams owns its values;
// the pointers libpq reads stay valid while it is alive and unchanged.
// Not thread-safe; one per statement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace recur {

class PgParams {
 public:
  PgParams() = default;
  // Parameters $1, $2, ... from `values`, in order.
  template <typename... Values>
  static PgParams Of(const Values&... values) {
    PgParams params;
    (params.Add(values), ...);
    return params;
  }

  PgParams& Add(std::string_view value) { return AddText(std::string(value)); }
  PgParams& Add(const std::string& value) { return AddText(value); }
  PgParams& Add(const char* value) { return AddText(value); }
  PgParams& Add(std::int64_t value) { return AddText(std::to_string(value)); }
  PgParams& Add(int value) { return AddText(std::to_string(value)); }
  PgParams& Add(bool value) { return AddText(value ? "true" : "false"); }
  PgParams& Add(Instant value) { return Add(static_cast<std::int64_t>(ToUnixMillis(value))); }
  PgParams& Add(std::nullopt_t) {
    values_.emplace_back();
    binary_.push_back(0);
    return *this;
  }
  template <typename T>
  PgParams& Add(const std::optional<T>& value) {
    return value ? Add(*value) : Add(std::nullopt);
  }
  // A text[] value: {"a","b"}, each element quoted.
  PgParams& AddTextArray(const std::vector<std::string>& elements);
  // A bytea value, sent as it is (binary format).
  PgParams& AddBytes(std::string_view bytes) {
    values_.emplace_back(std::string(bytes));
    binary_.push_back(1);
    return *this;
  }

  int size() const { return static_cast<int>(values_.size()); }
  // libpq's arrays (paramValues, paramLengths, paramFormats), made on demand.
  const char* const* values() const;
  const int* lengths() const;
  const int* formats() const { return binary_.data(); }

 private:
  PgParams& AddText(std::string value) {
    values_.emplace_back(std::move(value));
    binary_.push_back(0);
    return *this;
  }

  std::vector<std::optional<std::string>> values_;
  std::vector<int> binary_;
  mutable std::vector<const char*> pointers_;
  mutable std::vector<int> lengths_;
};

}  // namespace recur
