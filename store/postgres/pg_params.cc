#include "store/postgres/pg_params.h"

namespace recur {

PgParams& PgParams::AddTextArray(const std::vector<std::string>& elements) {
  std::string literal = "{";
  for (const std::string& element : elements) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    for (const char c : element) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  return AddText(literal + "}");
}

const char* const* PgParams::values() const {
  pointers_.clear();
  for (const std::optional<std::string>& value : values_) {
    pointers_.push_back(value ? value->data() : nullptr);
  }
  return pointers_.data();
}

const int* PgParams::lengths() const {
  lengths_.clear();
  for (const std::optional<std::string>& value : values_) {
    lengths_.push_back(value ? static_cast<int>(value->size()) : 0);
  }
  return lengths_.data();
}

}  // namespace recur
