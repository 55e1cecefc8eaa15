#include "domain/events/event_body_sample.h"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

namespace recur {
namespace {

// The objects of an envelope that hold a person's or a card's details (billing_json.h).
constexpr std::array<std::string_view, 3> kPrivateObjects = {"payer", "payment_source",
                                                             "event_attributes"};

void EmptyStrings(nlohmann::json& value) {
  if (value.is_string()) {
    value = "";
  } else if (value.is_structured()) {
    for (nlohmann::json& element : value) EmptyStrings(element);
  }
}

void EmptyPrivateObjects(nlohmann::json& value) {
  if (value.is_object()) {
    for (auto& [key, member] : value.items()) {
      if (std::find(kPrivateObjects.begin(), kPrivateObjects.end(), key) != kPrivateObjects.end()) {
        EmptyStrings(member);
      } else {
        EmptyPrivateObjects(member);
      }
    }
  } else if (value.is_array()) {
    for (nlohmann::json& element : value) EmptyPrivateObjects(element);
  }
}

}  // namespace

std::string EventBodySample(std::string_view body) {
  nlohmann::json document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return "";
  EmptyPrivateObjects(document);
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace recur
