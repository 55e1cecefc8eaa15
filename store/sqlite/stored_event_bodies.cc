#include "store/sqlite/stored_event_bodies.h"

#include <algorithm>
#include <string_view>

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>

#include "domain/events/event_body_sample.h"
#include "store/sqlite/sqlite_values.h"
#include "store/sqlite/statement_cache.h"

namespace recur {
namespace {

// The first event of each type among `events` that `sampled` lacks.
std::vector<const StoredEvent*> FirstOfEachTypeNotIn(const std::vector<std::string>& sampled,
                                                     const std::vector<StoredEvent>& events) {
  std::vector<const StoredEvent*> first;
  for (const StoredEvent& event : events) {
    auto is_type = [&](const std::string& type) { return type == event.type; };
    auto is_event_of_type = [&](const StoredEvent* other) { return other->type == event.type; };
    if (std::none_of(sampled.begin(), sampled.end(), is_type) &&
        std::none_of(first.begin(), first.end(), is_event_of_type)) {
      first.push_back(&event);
    }
  }
  return first;
}

// The bytes of a blob column, valid until the row's statement moves on.
std::string_view BlobOf(const SQLite::Column& column) {
  const void* bytes = column.getBlob();  // before getBytes(), as SQLite asks
  return {static_cast<const char*>(bytes), static_cast<std::size_t>(column.getBytes())};
}

}  // namespace

Result<std::unique_ptr<StoredEventBodies>> StoredEventBodies::Load(SqliteConnections& connections) {
  std::unique_ptr<StoredEventBodies> bodies(new StoredEventBodies(connections));
  auto newest =
      connections.Read({"reading the newest event body dictionary"}, [](SQLite::Database& db) {
        StatementLease query = Prepared(db,
                                        "SELECT id, event_types, content FROM "
                                        "event_body_dictionaries ORDER BY id DESC LIMIT 1");
        auto newest = std::make_shared<Dictionary>();
        if (query->executeStep()) {
          newest->id = query->getColumn(0).getInt64();
          newest->event_types = nlohmann::json::parse(query->getColumn(1).getString())
                                    .get<std::vector<std::string>>();
          newest->zstd = std::make_shared<ZstdDictionary>(std::string(BlobOf(query->getColumn(2))));
        }
        return std::shared_ptr<const Dictionary>(std::move(newest));
      });
  if (!newest) return std::unexpected(newest.error());
  bodies->newest_ = std::move(*newest);
  if (bodies->newest_->zstd) bodies->by_id_[bodies->newest_->id] = bodies->newest_->zstd;
  return bodies;
}

std::shared_ptr<const StoredEventBodies::Dictionary> StoredEventBodies::Newest() {
  std::lock_guard lock(mutex_);
  return newest_;
}

Result<std::vector<StoredEventBodies::Encoded>> StoredEventBodies::Encode(
    const std::vector<StoredEvent>& events) {
  std::shared_ptr<const Dictionary> dictionary = Newest();
  if (!FirstOfEachTypeNotIn(dictionary->event_types, events).empty()) {
    auto made = NewestWithTypesOf(events);
    if (!made) return std::unexpected(made.error());
    dictionary = std::move(*made);
  }
  std::vector<Encoded> encoded;
  encoded.reserve(events.size());
  for (const StoredEvent& event : events) {
    encoded.push_back({dictionary->zstd->Compress(event.body), dictionary->id});
  }
  return encoded;
}

Result<std::shared_ptr<const StoredEventBodies::Dictionary>> StoredEventBodies::NewestWithTypesOf(
    const std::vector<StoredEvent>& events) {
  std::lock_guard making(making_mutex_);
  const std::shared_ptr<const Dictionary> newest = Newest();
  const std::vector<const StoredEvent*> unsampled =
      FirstOfEachTypeNotIn(newest->event_types, events);
  if (unsampled.empty()) return newest;  // made by another thread meanwhile

  auto made = std::make_shared<Dictionary>();
  made->event_types = newest->event_types;
  std::string content = newest->zstd ? newest->zstd->content() : "";
  for (const StoredEvent* event : unsampled) {
    made->event_types.push_back(event->type);
    content += EventBodySample(event->body);
  }
  const std::string types_json =
      nlohmann::json(made->event_types)
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  Status written =
      connections_.Write({"storing an event body dictionary"}, [&](SQLite::Database& db) -> Status {
        StatementLease insert =
            Prepared(db, "INSERT INTO event_body_dictionaries (event_types, content) VALUES (?, ?)",
                     types_json);
        insert->bind(2, content.data(), static_cast<int>(content.size()));
        insert->exec();
        made->id = db.getLastInsertRowid();
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  made->zstd = std::make_shared<ZstdDictionary>(std::move(content));

  std::lock_guard lock(mutex_);
  by_id_[made->id] = made->zstd;
  newest_ = made;
  return std::shared_ptr<const Dictionary>(std::move(made));
}

std::shared_ptr<const ZstdDictionary> StoredEventBodies::ById(SQLite::Database& db,
                                                              std::int64_t id) {
  {
    std::lock_guard lock(mutex_);
    if (auto found = by_id_.find(id); found != by_id_.end()) return found->second;
  }
  StatementLease query =
      Prepared(db, "SELECT content FROM event_body_dictionaries WHERE id = ?", id);
  if (!query->executeStep()) {
    throw SQLite::Exception("event body dictionary " + std::to_string(id) + " is missing");
  }
  auto read = std::make_shared<const ZstdDictionary>(std::string(BlobOf(query->getColumn(0))));
  std::lock_guard lock(mutex_);
  return by_id_.emplace(id, std::move(read)).first->second;
}

std::string StoredEventBodies::Decode(SQLite::Database& db, const SQLite::Column& body,
                                      const SQLite::Column& dictionary_id) {
  if (body.isText()) return body.getString();
  if (!body.isBlob() || dictionary_id.isNull()) {
    throw SQLite::Exception("an event body that is neither text nor a blob with its dictionary");
  }
  const std::shared_ptr<const ZstdDictionary> dictionary = ById(db, dictionary_id.getInt64());
  auto text = dictionary->Decompress(BlobOf(body));
  if (!text) {
    throw SQLite::Exception("an event body made with dictionary " +
                            std::to_string(dictionary_id.getInt64()) + ": " + text.error().message);
  }
  return std::move(*text);
}

}  // namespace recur
