// PostgresStore's TestClockStore half.
#include <stdexcept>

#include "store/postgres/pg_lease_rule.h"
#include "store/postgres/postgres_store.h"

namespace recur {
namespace {

// The database's clock, in Unix milliseconds: what an advance's lease is timed by.
const std::string kDatabaseNow(kPgDatabaseNow);

// What a clock no longer under an advance holds: no target, holder or lease.
constexpr const char* kNoAdvance =
    "advancing_to = NULL, advance_owner = NULL, advance = NULL, advance_until = NULL";

}  // namespace

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

namespace {

// The clock of row `row` of "SELECT id, name, frozen_time, status, created_at FROM test_clocks".
TestClock TestClockOf(const PgResult& rows, int row) {
  auto status = ParseTestClockStatus(rows.Text(row, 3));
  if (!status) throw std::runtime_error("unreadable test clock status in the database");
  return TestClock{rows.Text(row, 0), rows.Text(row, 1), rows.InstantAt(row, 2), *status,
                   rows.InstantAt(row, 4)};
}

}  // namespace

Result<std::optional<TestClock>> PostgresStore::GetTestClock(const std::string& id) {
  const Doing doing{"reading test clock", id};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult row = Required(connection.Exec(
        doing, "SELECT id, name, frozen_time, status, created_at FROM test_clocks WHERE id = $1",
        PgParams::Of(id)));
    if (row.rows() == 0) return std::optional<TestClock>();
    return std::optional<TestClock>(TestClockOf(row, 0));
  });
}

Result<Page<TestClock>> PostgresStore::ListTestClocks(const ListOptions& options) {
  const Doing doing{"listing test clocks"};
  return pool_->Read(doing, [&](PgConnection& connection) -> Result<Page<TestClock>> {
    const std::string& after = options.starting_after;
    if (!after.empty() && Required(connection.Exec(doing, "SELECT 1 FROM test_clocks WHERE id = $1",
                                                   PgParams::Of(after)))
                                  .rows() == 0) {
      return UnknownStartingAfter(after);
    }
    const int limit = PageLimit(options);
    PgParams params = PgParams::Of(limit + 1);
    std::string sql = "SELECT id, name, frozen_time, status, created_at FROM test_clocks";
    if (!after.empty()) {
      params.Add(after);
      sql += " WHERE (created_at, id) < (SELECT created_at, id FROM test_clocks WHERE id = $2)";
    }
    sql += " ORDER BY created_at DESC, id DESC LIMIT $1";
    const PgResult rows = Required(connection.Exec(doing, sql, params));
    std::vector<TestClock> read;
    for (int row = 0; row < rows.rows(); ++row) read.push_back(TestClockOf(rows, row));
    return PageOf(std::move(read), limit);
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

Result<std::optional<TestClock>> PostgresStore::DeleteTestClock(const std::string& id) {
  const Doing doing{"deleting test clock", id};
  std::optional<TestClock> after;
  // One statement: the clock deleted unless an advance holds it, and as it stands after.
  Status deleted = WriteChange(doing, id, [&](PgConnection& connection) -> Status {
    const PgResult row = Required(connection.Exec(
        doing,
        "WITH deleted AS (UPDATE test_clocks SET status = 'deleted' WHERE id = $1 AND "
        "status <> 'advancing' RETURNING id, name, frozen_time, status, created_at) "
        "SELECT * FROM deleted UNION ALL SELECT id, name, frozen_time, status, created_at "
        "FROM test_clocks WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM deleted)",
        PgParams::Of(id)));
    if (row.rows() == 0) return Ok();
    auto status = ParseTestClockStatus(row.Text(0, 3));
    if (!status) throw std::runtime_error("unreadable test clock status in the database");
    after = TestClock{row.Text(0, 0), row.Text(0, 1), row.InstantAt(0, 2), *status,
                      row.InstantAt(0, 4)};
    return Ok();
  });
  if (!deleted) return std::unexpected(deleted.error());
  return after;
}

Result<std::optional<ClockAdvance>> PostgresStore::BeginAdvance(const std::string& id, Instant from,
                                                                Instant to) {
  const Doing doing{"beginning an advance of test clock", id};
  const std::chrono::milliseconds lease = options_.test_clock_advance_lease;
  std::optional<ClockAdvance> taken;
  Status began = WriteChange(doing, id, [&](PgConnection& connection) -> Status {
    const PgResult row = Required(connection.Exec(
        doing,
        std::string("UPDATE test_clocks SET status = 'advancing', advancing_to = $3, "
                    "advance_owner = $4, advance = nextval('test_clock_advances'), "
                    "advance_until = ") +
            kDatabaseNow +
            " + $5 WHERE id = $1 AND frozen_time = $2 AND (status = 'ready' OR (status = "
            "'advancing' AND " +
            LeaseLapsedSql("advance_owner", "advance_until") + ")) RETURNING advance",
        PgParams::Of(id, from, to, node_id_, static_cast<std::int64_t>(lease.count()))));
    if (row.rows() == 1) taken = ClockAdvance{id, from, to, row.Int64(0, 0), lease};
    return Ok();
  });
  if (!began) return std::unexpected(began.error());
  return taken;
}

Status PostgresStore::RenewAdvance(const ClockAdvance& advance) {
  const Doing doing{"renewing the advance of test clock", advance.clock_id};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    const PgResult renewed = Required(
        connection.Exec(doing,
                        std::string("UPDATE test_clocks SET advance_until = ") + kDatabaseNow +
                            " + $3 WHERE id = $1 AND status = 'advancing' AND advance = $2",
                        PgParams::Of(advance.clock_id, advance.number,
                                     static_cast<std::int64_t>(advance.lease.count()))));
    if (renewed.affected() != 1) return std::unexpected(TestClockAdvanceLost(advance));
    return Ok();
  });
}

Status PostgresStore::FinishAdvance(const ClockAdvance& advance) {
  const Doing doing{"finishing the advance of test clock", advance.clock_id};
  return WriteChange(doing, advance.clock_id, [&](PgConnection& connection) -> Status {
    const PgResult finished = Required(
        connection.Exec(doing,
                        std::string("UPDATE test_clocks SET frozen_time = $3, status = 'ready', ") +
                            kNoAdvance + " WHERE id = $1 AND status = 'advancing' AND advance = $2",
                        PgParams::Of(advance.clock_id, advance.number, advance.to)));
    if (finished.affected() != 1) return std::unexpected(TestClockAdvanceLost(advance));
    return Ok();
  });
}

Status PostgresStore::GiveUpAdvance(const ClockAdvance& advance) {
  const Doing doing{"giving up the advance of test clock", advance.clock_id};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(doing,
                             std::string("UPDATE test_clocks SET status = 'ready', ") + kNoAdvance +
                                 " WHERE id = $1 AND status = 'advancing' AND advance = $2",
                             PgParams::Of(advance.clock_id, advance.number)));
    return Ok();
  });
}

Result<std::vector<ClockAdvance>> PostgresStore::AdvancesUnderway() {
  const Doing doing{"listing test clock advances"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult rows = Required(connection.Exec(
        doing,
        "SELECT id, frozen_time, advancing_to, advance FROM test_clocks WHERE status = "
        "'advancing' AND advance_owner <> $1 AND NOT " +
            LeaseLapsedSql("advance_owner", "advance_until") + " ORDER BY advancing_to, id",
        PgParams::Of(node_id_)));
    std::vector<ClockAdvance> underway;
    for (int row = 0; row < rows.rows(); ++row) {
      underway.push_back({rows.Text(row, 0), rows.InstantAt(row, 1), rows.InstantAt(row, 2),
                          rows.Int64(row, 3), options_.test_clock_advance_lease});
    }
    return underway;
  });
}

Status PostgresStore::ReadyAdvancingTestClocks() {
  const Doing doing{"readying abandoned test clock advances"};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(doing, std::string("UPDATE test_clocks SET status = 'ready', ") +
                                        kNoAdvance + " WHERE status = 'advancing' AND " +
                                        LeaseLapsedSql("advance_owner", "advance_until")));
    return Ok();
  });
}

}  // namespace recur
