// PostgresStore's TestClockStore half.
#include <stdexcept>

#include "store/postgres/postgres_store.h"

namespace recur {

Status PostgresStore::CreateTestClock(const TestClock& clock) {
  const Doing doing{"creating test clock", clock.id};
  return WriteChange(doing, clock.id, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(doing,
                             "INSERT INTO test_clocks (id, name, frozen_time, status, created_at) "
                             "VALUES ($1, $2, $3, $4, $5)",
                             PgParams::Of(clock.id, clock.name, clock.frozen_time,
                                          TestClockStatusName(clock.status), clock.created_at)));
    return Ok();
  });
}

Result<std::optional<TestClock>> PostgresStore::GetTestClock(const std::string& id) {
  const Doing doing{"reading test clock", id};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult row = Required(connection.Exec(
        doing, "SELECT id, name, frozen_time, status, created_at FROM test_clocks WHERE id = $1",
        PgParams::Of(id)));
    if (row.rows() == 0) return std::optional<TestClock>();
    auto status = ParseTestClockStatus(row.Text(0, 3));
    if (!status) throw std::runtime_error("unreadable test clock status in the database");
    return std::optional<TestClock>(TestClock{row.Text(0, 0), row.Text(0, 1), row.InstantAt(0, 2),
                                              *status, row.InstantAt(0, 4)});
  });
}

Status PostgresStore::UpdateTestClock(const std::string& id, Instant frozen_time,
                                      TestClockStatus status) {
  const Doing doing{"updating test clock", id};
  return WriteChange(doing, id, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(doing,
                             "UPDATE test_clocks SET frozen_time = $1, status = $2 WHERE id = $3",
                             PgParams::Of(frozen_time, TestClockStatusName(status), id)));
    return Ok();
  });
}

Status PostgresStore::ReadyAdvancingTestClocks() {
  const Doing doing{"readying advancing test clocks"};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(doing,
                             "UPDATE test_clocks SET status = 'ready' WHERE status = 'advancing'"));
    return Ok();
  });
}

}  // namespace recur
