// SqliteStore's TestClockStore half.
#include <SQLiteCpp/Statement.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statement_cache.h"

namespace recur {

Status SqliteStore::CreateTestClock(const TestClock& clock) {
  return connections_->Write([&](SQLite::Database& db) -> Status {
    StatementLease insert_lease =
        Prepared(db,
                 "INSERT INTO test_clocks (id, name, frozen_time, status, created_at) "
                 "VALUES (?, ?, ?, ?, ?)");
    SQLite::Statement& insert = *insert_lease;
    insert.bind(1, clock.id);
    insert.bind(2, clock.name);
    insert.bind(3, static_cast<std::int64_t>(ToUnixMillis(clock.frozen_time)));
    insert.bind(4, clock.status);
    insert.bind(5, static_cast<std::int64_t>(ToUnixMillis(clock.created_at)));
    insert.exec();
    return Ok();
  });
}

Result<std::optional<TestClock>> SqliteStore::GetTestClock(const std::string& id) {
  try {
    return connections_->Read([&](SQLite::Database& db) {
      StatementLease query_lease = Prepared(
          db, "SELECT id, name, frozen_time, status, created_at FROM test_clocks WHERE id = ?");
      SQLite::Statement& query = *query_lease;
      query.bind(1, id);
      if (!query.executeStep()) return std::optional<TestClock>();
      return std::optional<TestClock>(
          TestClock{query.getColumn(0).getString(), query.getColumn(1).getString(),
                    FromUnixMillis(query.getColumn(2).getInt64()), query.getColumn(3).getString(),
                    FromUnixMillis(query.getColumn(4).getInt64())});
    });
  } catch (const std::exception& error) {
    return MakeError(ErrorKind::kUnavailable, "storage_error",
                     std::string("reading a test clock failed: ") + error.what());
  }
}

Status SqliteStore::UpdateTestClock(const std::string& id, Instant frozen_time,
                                    std::string_view status) {
  return connections_->Write([&](SQLite::Database& db) -> Status {
    StatementLease update_lease =
        Prepared(db, "UPDATE test_clocks SET frozen_time = ?, status = ? WHERE id = ?");
    SQLite::Statement& update = *update_lease;
    update.bind(1, static_cast<std::int64_t>(ToUnixMillis(frozen_time)));
    update.bind(2, std::string(status));
    update.bind(3, id);
    update.exec();
    return Ok();
  });
}

Status SqliteStore::ReadyAdvancingTestClocks() {
  return connections_->Write([](SQLite::Database& db) -> Status {
    db.exec("UPDATE test_clocks SET status = 'ready' WHERE status = 'advancing'");
    return Ok();
  });
}

}  // namespace recur
