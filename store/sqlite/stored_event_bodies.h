// How the SQLite store keeps event bodies (store/event_body_codec.h says what goes in them): the
// codec's dictionaries in event_body_dictionaries (schema/sqlite/0008_event_body_dictionaries.sql),
// each body in events.body as a blob with its body_dictionary_id. Bodies stored as text (all of
// those written before the dictionaries) read back as they are.
// Thread-safe.
#pragma once

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>

#include "store/event_body_codec.h"
#include "store/sqlite/sqlite_connections.h"

namespace recur {

class SqliteEventBodyDictionaries final : public EventBodyDictionaries {
 public:
  explicit SqliteEventBodyDictionaries(SqliteConnections& connections)
      : connections_(connections) {}
  Result<std::optional<Stored>> Newest() override;
  Result<std::int64_t> Add(const std::vector<std::string>& event_types,
                           const std::string& content) override;

 private:
  SqliteConnections& connections_;
};

// The body of an event row, from its `body` and `body_dictionary_id` columns, read on `db`.
// Throws when the row's body cannot be read back; the read's edge makes that an error.
std::string ReadEventBody(EventBodyCodec& codec, SQLite::Database& db, const SQLite::Column& body,
                          const SQLite::Column& dictionary_id);

}  // namespace recur
