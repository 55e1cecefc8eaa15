// Event body dictionaries (store/event_body_codec.h) kept in a map, as a backend keeps them in a
// table: for the codec's tests and its fuzz target. Ids count from 1. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/event_body_codec.h"

namespace recur {

class MapEventBodyDictionaries final : public EventBodyDictionaries {
 public:
  Result<std::optional<Stored>> Newest() override {
    if (stored.empty()) return std::optional<Stored>();
    return std::optional<Stored>(stored.rbegin()->second);
  }
  Result<std::int64_t> Add(const std::vector<std::string>& event_types,
                           const std::string& content) override {
    const std::int64_t id = static_cast<std::int64_t>(stored.size()) + 1;
    stored[id] = {id, event_types, content};
    return id;
  }
  // Reads a dictionary's content for EventBodyCodec::Decode; an unknown id is "no_dictionary".
  EventBodyCodec::ContentReader Reader() {
    return [this](std::int64_t id) -> Result<std::string> {
      auto found = stored.find(id);
      if (found == stored.end()) {
        return MakeError(ErrorKind::kNotFound, "no_dictionary",
                         "no dictionary " + std::to_string(id));
      }
      return found->second.content;
    };
  }

  std::map<std::int64_t, Stored> stored;
};

}  // namespace recur
