// How the SQLite store keeps event bodies (schema/sqlite/0008_event_body_dictionaries.sql): each
// one compressed with zstd against the store's newest dictionary, whose content is one sample of
// each event type stored so far (EventBodySample: no person's or card's details). A body of a
// type the newest dictionary lacks first makes a new dictionary with that type's sample added,
// written in a transaction of its own, so no body is ever stored before the dictionary it
// needs. So there is at most one dictionary per event type the store has seen. Bodies stored
// as text (all of those written before the dictionaries) read back as they are.
// Thread-safe. Encode runs on the thread that saves the events, not on the writer's.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>

#include "base/error.h"
#include "base/zstd_dictionary.h"
#include "store/account_store.h"
#include "store/sqlite/sqlite_connections.h"

namespace recur {

class StoredEventBodies {
 public:
  // Takes up the newest dictionary stored in `connections`' database.
  static Result<std::unique_ptr<StoredEventBodies>> Load(SqliteConnections& connections);

  struct Encoded {
    std::string frame;  // the zstd frame to store as the body, a blob
    std::int64_t dictionary_id = 0;
  };
  // The bodies of `events`, in order, compressed with a dictionary that has a sample of each
  // of their types (made and written first when there is none yet).
  Result<std::vector<Encoded>> Encode(const std::vector<StoredEvent>& events);

  // The body of an event row, from its `body` and `body_dictionary_id` columns, read on `db`.
  // Throws SQLite::Exception when the row's body cannot be read back.
  std::string Decode(SQLite::Database& db, const SQLite::Column& body,
                     const SQLite::Column& dictionary_id);

 private:
  struct Dictionary {
    std::int64_t id = 0;
    std::vector<std::string> event_types;  // empty for the "none yet" stand-in
    std::shared_ptr<const ZstdDictionary> zstd;
  };

  explicit StoredEventBodies(SqliteConnections& connections) : connections_(connections) {}
  std::shared_ptr<const Dictionary> Newest();
  // The newest dictionary, made now with samples of the types of `events` it lacks.
  Result<std::shared_ptr<const Dictionary>> NewestWithTypesOf(
      const std::vector<StoredEvent>& events);
  std::shared_ptr<const ZstdDictionary> ById(SQLite::Database& db, std::int64_t id);

  SqliteConnections& connections_;
  std::mutex making_mutex_;  // one dictionary made at a time
  std::mutex mutex_;         // guards what follows
  std::shared_ptr<const Dictionary> newest_;
  std::map<std::int64_t, std::shared_ptr<const ZstdDictionary>> by_id_;
};

}  // namespace recur
