#include "http/body_reader.h"

#include <algorithm>
#include <vector>

#include "http/unknown_parameter.h"

namespace recur {

void BodyReader::Fail(std::string code, std::string message, std::string_view key) {
  if (!error_) {
    error_ =
        Error{ErrorKind::kInvalidArgument, std::move(code), std::move(message), std::string(key)};
  }
}

const nlohmann::json* BodyReader::Find(std::string_view key, bool required) {
  auto it = body_.find(key);
  if (it == body_.end() || it->is_null()) {
    if (required) Fail("missing_parameter", std::string(key) + " is required", key);
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> BodyReader::String(std::string_view key, bool required,
                                              std::size_t max_length) {
  const nlohmann::json* value = Find(key, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    Fail("invalid_parameter", std::string(key) + " must be a string", key);
    return std::nullopt;
  }
  std::string text = value->get<std::string>();
  if (text.size() > max_length) {
    Fail("invalid_parameter",
         std::string(key) + " must be at most " + std::to_string(max_length) + " characters", key);
    return std::nullopt;
  }
  return text;
}

std::optional<bool> BodyReader::Bool(std::string_view key) {
  const nlohmann::json* value = Find(key, false);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    Fail("invalid_parameter", std::string(key) + " must be true or false", key);
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<std::int64_t> BodyReader::Integer(std::string_view key, bool required,
                                                std::int64_t min, std::int64_t max) {
  const nlohmann::json* value = Find(key, required);
  if (value == nullptr) return std::nullopt;
  const bool fits = value->is_number_integer() &&
                    (value->is_number_unsigned()
                         ? value->get<std::uint64_t>() <= static_cast<std::uint64_t>(max) &&
                               static_cast<std::int64_t>(value->get<std::uint64_t>()) >= min
                         : value->get<std::int64_t>() >= min && value->get<std::int64_t>() <= max);
  if (!fits) {
    Fail("invalid_parameter",
         std::string(key) + " must be an integer from " + std::to_string(min) + " to " +
             std::to_string(max),
         key);
    return std::nullopt;
  }
  return value->get<std::int64_t>();
}

Status BodyReader::Finish(std::initializer_list<std::string_view> known) {
  if (error_) return std::unexpected(*error_);
  const std::vector<std::string_view> candidates(known);
  for (const auto& [key, value] : body_.items()) {
    if (std::find(candidates.begin(), candidates.end(), key) != candidates.end()) continue;
    return std::unexpected(UnknownParameter("parameter", key, candidates));
  }
  return Ok();
}

}  // namespace recur
