#include "store/sqlite/stored_event_bodies.h"

#include <string_view>

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_values.h"

namespace recur {
namespace {

// The bytes of a blob column, valid until the row's statement moves on.
std::string_view BlobOf(const SQLite::Column& column) {
  const void* bytes = column.getBlob();  // before getBytes(), as SQLite asks
  return {static_cast<const char*>(bytes), static_cast<std::size_t>(column.getBytes())};
}

}  // namespace

Result<std::optional<EventBodyDictionaries::Stored>> SqliteEventBodyDictionaries::Newest() {
  return connections_.Read({"reading the newest event body dictionary"}, [](SQLite::Database& db) {
    StatementLease query = Prepared(db,
                                    "SELECT id, event_types, content FROM "
                                    "event_body_dictionaries ORDER BY id DESC LIMIT 1");
    if (!query->executeStep()) return std::optional<Stored>();
    return std::optional<Stored>(Stored{
        query->getColumn(0).getInt64(),
        nlohmann::json::parse(query->getColumn(1).getString()).get<std::vector<std::string>>(),
        std::string(BlobOf(query->getColumn(2)))});
  });
}

Result<std::int64_t> SqliteEventBodyDictionaries::Add(const std::vector<std::string>& event_types,
                                                      const std::string& content) {
  const std::string types_json =
      nlohmann::json(event_types).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::int64_t id = 0;
  Status written =
      connections_.Write({"storing an event body dictionary"}, [&](SQLite::Database& db) -> Status {
        StatementLease insert =
            Prepared(db, "INSERT INTO event_body_dictionaries (event_types, content) VALUES (?, ?)",
                     types_json);
        insert->bind(2, content.data(), static_cast<int>(content.size()));
        insert->exec();
        id = db.getLastInsertRowid();
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  return id;
}

std::string ReadEventBody(EventBodyCodec& codec, SQLite::Database& db, const SQLite::Column& body,
                          const SQLite::Column& dictionary_id) {
  if (body.isText()) return body.getString();
  if (!body.isBlob() || dictionary_id.isNull()) {
    throw SQLite::Exception("an event body that is neither text nor a blob with its dictionary");
  }
  auto text = codec.Decode(
      BlobOf(body), dictionary_id.getInt64(), [&](std::int64_t id) -> Result<std::string> {
        StatementLease query =
            Prepared(db, "SELECT content FROM event_body_dictionaries WHERE id = ?", id);
        if (!query->executeStep()) {
          return MakeError(ErrorKind::kInternal, "event_body_unreadable",
                           "event body dictionary " + std::to_string(id) + " is missing");
        }
        return std::string(BlobOf(query->getColumn(0)));
      });
  if (!text) throw SQLite::Exception(text.error().message);
  return std::move(*text);
}

}  // namespace recur
