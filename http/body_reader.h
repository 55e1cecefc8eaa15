// Reads a JSON request body field by field, stopping at the first problem: a missing required
// field, a value of the wrong type or range, or (at Finish) a key the endpoint does not know,
// with a suggestion for a likely typo. Each problem is an Error naming the parameter.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace recur {

class BodyReader {
 public:
  explicit BodyReader(const nlohmann::json& body) : body_(body) {}

  std::optional<std::string> String(std::string_view key, bool required,
                                    std::size_t max_length = 1000);
  std::optional<bool> Bool(std::string_view key);
  std::optional<std::int64_t> Integer(std::string_view key, bool required, std::int64_t min,
                                      std::int64_t max);

  // The first problem found, or an unknown_parameter error for a key outside `known`.
  Status Finish(std::initializer_list<std::string_view> known);

 private:
  void Fail(std::string code, std::string message, std::string_view key);
  const nlohmann::json* Find(std::string_view key, bool required);

  const nlohmann::json& body_;
  std::optional<Error> error_;
};

}  // namespace recur
