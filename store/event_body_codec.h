// How a store keeps event bodies small: each body compressed with zstd against the store's
// newest dictionary, whose content is one sample of each event type stored so far
// (EventBodySample: no person's or card's details). A body of a type the newest dictionary lacks
// first makes a new dictionary with that type's sample added, stored (EventBodyDictionaries::
// Add, a transaction of its own) before any body that needs it. So a store holds at most one
// dictionary per event type it has seen. Backend-neutral: the backend keeps the dictionaries
// and the frames; this decides what goes in them.
// Thread-safe. Encode runs on the thread that saves the events, not on a backend's writer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/zstd_dictionary.h"
#include "store/account_store.h"

namespace recur {

// Where a backend keeps its event body dictionaries.
class EventBodyDictionaries {
 public:
  struct Stored {
    std::int64_t id = 0;
    std::vector<std::string> event_types;  // the types sampled, in the order they were added
    std::string content;
  };
  virtual ~EventBodyDictionaries() = default;
  // The dictionary with the greatest id; none before the first is added.
  virtual Result<std::optional<Stored>> Newest() = 0;
  // Stores a dictionary, durably, before returning its id: greater than every id before it.
  virtual Result<std::int64_t> Add(const std::vector<std::string>& event_types,
                                   const std::string& content) = 0;
};

class EventBodyCodec {
 public:
  // Takes up the newest dictionary of `dictionaries`, which must outlive the codec.
  static Result<std::unique_ptr<EventBodyCodec>> Load(EventBodyDictionaries& dictionaries);

  struct Encoded {
    std::string frame;  // the zstd frame to store as the body
    std::int64_t dictionary_id = 0;
  };
  // The bodies of `events`, in order, compressed with a dictionary that has a sample of each of
  // their types (made and stored first when there is none yet).
  Result<std::vector<Encoded>> Encode(const std::vector<StoredEvent>& events);

  // Reads the content of a stored dictionary by id, for Decode.
  using ContentReader = std::function<Result<std::string>(std::int64_t dictionary_id)>;
  // The body stored as `frame` with dictionary `dictionary_id`. A dictionary this codec has not
  // seen is read once through `read_content` (on the caller's connection, inside its read) and
  // kept. A frame that does not decompress with its dictionary is an error, never other text.
  Result<std::string> Decode(std::string_view frame, std::int64_t dictionary_id,
                             const ContentReader& read_content);

 private:
  struct Dictionary {
    std::int64_t id = 0;
    std::vector<std::string> event_types;  // empty for the "none yet" stand-in
    std::shared_ptr<const ZstdDictionary> zstd;
  };

  explicit EventBodyCodec(EventBodyDictionaries& dictionaries) : dictionaries_(dictionaries) {}
  std::shared_ptr<const Dictionary> Newest();
  // The newest dictionary, made now with samples of the types of `events` it lacks.
  Result<std::shared_ptr<const Dictionary>> NewestWithTypesOf(
      const std::vector<StoredEvent>& events);
  Result<std::shared_ptr<const ZstdDictionary>> ById(std::int64_t id,
                                                     const ContentReader& read_content);

  EventBodyDictionaries& dictionaries_;
  std::mutex making_mutex_;  // one dictionary made at a time
  std::mutex mutex_;         // guards what follows
  std::shared_ptr<const Dictionary> newest_;
  std::map<std::int64_t, std::shared_ptr<const ZstdDictionary>> by_id_;
};

}  // namespace recur
