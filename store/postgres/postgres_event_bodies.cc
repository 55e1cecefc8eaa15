#include "store/postgres/postgres_event_bodies.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace recur {

Result<std::optional<EventBodyDictionaries::Stored>> PostgresEventBodyDictionaries::Newest() {
  return pool_.Read({"reading the newest event body dictionary"},
                    [](PgConnection& connection) -> Result<std::optional<Stored>> {
                      auto newest =
                          connection.Exec({"reading the newest event body dictionary"},
                                          "SELECT id, event_types, content FROM "
                                          "event_body_dictionaries ORDER BY id DESC LIMIT 1");
                      if (!newest) return std::unexpected(newest.error());
                      if (newest->rows() == 0) return std::optional<Stored>();
                      return std::optional<Stored>(Stored{
                          newest->Int64(0, 0),
                          nlohmann::json::parse(newest->Text(0, 1)).get<std::vector<std::string>>(),
                          newest->Bytes(0, 2)});
                    });
}

Result<std::int64_t> PostgresEventBodyDictionaries::Add(const std::vector<std::string>& event_types,
                                                        const std::string& content) {
  const std::string types_json =
      nlohmann::json(event_types).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::int64_t id = 0;
  const Doing doing{"storing an event body dictionary"};
  Status written = pool_.Write(doing, [&](PgConnection& connection) -> Status {
    PgParams params = PgParams::Of(types_json);
    params.AddBytes(content);
    auto inserted = connection.Exec(
        doing,
        "INSERT INTO event_body_dictionaries (event_types, content) VALUES ($1, $2) RETURNING id",
        params);
    if (!inserted) return std::unexpected(inserted.error());
    id = inserted->Int64(0, 0);
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return id;
}

std::string ReadEventBody(EventBodyCodec& codec, PgConnection& connection, const PgResult& result,
                          int row, int body, int dictionary_id) {
  auto text = codec.Decode(
      result.Bytes(row, body), result.Int64(row, dictionary_id),
      [&](std::int64_t id) -> Result<std::string> {
        auto content = connection.Exec({"reading an event body dictionary"},
                                       "SELECT content FROM event_body_dictionaries WHERE id = $1",
                                       PgParams::Of(id));
        if (!content) return std::unexpected(content.error());
        if (content->rows() == 0) {
          return MakeError(ErrorKind::kInternal, "event_body_unreadable",
                           "event body dictionary " + std::to_string(id) + " is missing");
        }
        return content->Bytes(0, 0);
      });
  if (!text) throw std::runtime_error(text.error().message);
  return std::move(*text);
}

}  // namespace recur
