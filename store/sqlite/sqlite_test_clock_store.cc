// SqliteStore's TestClockStore half.
#include <SQLiteCpp/Statement.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"

namespace recur {

Status SqliteStore::CreateTestClock(const TestClock& clock) {
  return WriteChange({"creating test clock", clock.id}, clock.id,
                     [&](SQLite::Database& db) -> Status {
                       Prepared(db,
                                "INSERT INTO test_clocks (id, name, frozen_time, status, "
                                "created_at) VALUES (?, ?, ?, ?, ?)",
                                clock.id, clock.name, clock.frozen_time,
                                TestClockStatusName(clock.status), clock.created_at)
                           ->exec();
                       return Ok();
                     });
}

Result<std::optional<TestClock>> SqliteStore::GetTestClock(const std::string& id) {
  return connections_->Read({"reading test clock", id}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(
        db, "SELECT id, name, frozen_time, status, created_at FROM test_clocks WHERE id = ?", id);
    if (!query->executeStep()) return std::optional<TestClock>();
    auto status = ParseTestClockStatus(query->getColumn(3).getString());
    if (!status) throw std::runtime_error("unreadable test clock status in the database");
    return std::optional<TestClock>(
        TestClock{query->getColumn(0).getString(), query->getColumn(1).getString(),
                  InstantOf(query->getColumn(2)), *status, InstantOf(query->getColumn(4))});
  });
}

Status SqliteStore::UpdateTestClock(const std::string& id, Instant frozen_time,
                                    TestClockStatus status) {
  return WriteChange({"updating test clock", id}, id, [&](SQLite::Database& db) -> Status {
    Prepared(db, "UPDATE test_clocks SET frozen_time = ?, status = ? WHERE id = ?", frozen_time,
             TestClockStatusName(status), id)
        ->exec();
    return Ok();
  });
}

Status SqliteStore::ReadyAdvancingTestClocks() {
  return connections_->Write({"readying advancing test clocks"},
                             [](SQLite::Database& db) -> Status {
                               db.exec(
                                   "UPDATE test_clocks SET status = 'ready' "
                                   "WHERE status = 'advancing'");
                               return Ok();
                             });
}

}  // namespace recur
