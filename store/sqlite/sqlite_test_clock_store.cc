// SqliteStore's TestClockStore half.
#include <SQLiteCpp/Statement.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"
#include "store/waiting_work.h"

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

namespace {

// The clock of a row of "SELECT id, name, frozen_time, status, created_at FROM test_clocks".
TestClock TestClockOf(SQLite::Statement& row) {
  auto status = ParseTestClockStatus(row.getColumn(3).getString());
  if (!status) throw std::runtime_error("unreadable test clock status in the database");
  return TestClock{row.getColumn(0).getString(), row.getColumn(1).getString(),
                   InstantOf(row.getColumn(2)), *status, InstantOf(row.getColumn(4))};
}

}  // namespace

Result<std::optional<TestClock>> SqliteStore::GetTestClock(const std::string& id) {
  return connections_->Read({"reading test clock", id}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(
        db, "SELECT id, name, frozen_time, status, created_at FROM test_clocks WHERE id = ?", id);
    if (!query->executeStep()) return std::optional<TestClock>();
    return std::optional<TestClock>(TestClockOf(*query));
  });
}

Result<Page<TestClock>> SqliteStore::ListTestClocks(const ListOptions& options) {
  return connections_->Read(
      {"listing test clocks"}, [&](SQLite::Database& db) -> Result<Page<TestClock>> {
        const std::string& after = options.starting_after;
        if (!after.empty()) {
          StatementLease known = Prepared(db, "SELECT 1 FROM test_clocks WHERE id = ?", after);
          if (!known->executeStep()) return UnknownStartingAfter(after);
        }
        const int limit = PageLimit(options);
        std::string sql = "SELECT id, name, frozen_time, status, created_at FROM test_clocks";
        if (!after.empty()) {
          sql += " WHERE (created_at, id) < (SELECT created_at, id FROM test_clocks WHERE id = ?)";
        }
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?";
        StatementLease query = Prepared(db, sql);
        int index = 1;
        if (!after.empty()) query->bind(index++, after);
        query->bind(index, limit + 1);
        std::vector<TestClock> read;
        while (query->executeStep()) read.push_back(TestClockOf(*query));
        return PageOf(std::move(read), limit);
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

Result<std::optional<TestClock>> SqliteStore::DeleteTestClock(const std::string& id) {
  std::optional<TestClock> after;
  // The conditional write decides; the read, in the same transaction of the one writer, says
  // how the clock stands after it.
  Status deleted =
      WriteChange({"deleting test clock", id}, id, [&](SQLite::Database& db) -> Status {
        after.reset();  // a write may run again when its group is retried
        Prepared(db,
                 "UPDATE test_clocks SET status = 'deleted' WHERE id = ? AND "
                 "status <> 'advancing'",
                 id)
            ->exec();
        StatementLease query = Prepared(
            db, "SELECT id, name, frozen_time, status, created_at FROM test_clocks WHERE id = ?",
            id);
        if (!query->executeStep()) return Ok();
        auto status = ParseTestClockStatus(query->getColumn(3).getString());
        if (!status) throw std::runtime_error("unreadable test clock status in the database");
        after = TestClock{query->getColumn(0).getString(), query->getColumn(1).getString(),
                          InstantOf(query->getColumn(2)), *status, InstantOf(query->getColumn(4))};
        return Ok();
      });
  if (!deleted) return std::unexpected(deleted.error());
  return after;
}

// One process has the file (its lock): an advance holds its clock without a lease, and the
// number of every advance is 0.

Result<std::optional<ClockAdvance>> SqliteStore::BeginAdvance(const std::string& id, Instant from,
                                                              Instant to) {
  std::optional<ClockAdvance> taken;
  Status began = WriteChange({"beginning an advance of test clock", id}, id,
                             [&](SQLite::Database& db) -> Status {
                               if (Prepared(db,
                                            "UPDATE test_clocks SET status = 'advancing' WHERE "
                                            "id = ? AND frozen_time = ? AND status = 'ready'",
                                            id, from)
                                       ->exec() == 1) {
                                 taken = ClockAdvance{id, from, to, 0, {}};
                               }
                               return Ok();
                             });
  if (!began) return std::unexpected(began.error());
  return taken;
}

Status SqliteStore::RenewAdvance(const ClockAdvance&) { return Ok(); }

Status SqliteStore::FinishAdvance(const ClockAdvance& advance) {
  return WriteChange({"finishing the advance of test clock", advance.clock_id}, advance.clock_id,
                     [&](SQLite::Database& db) -> Status {
                       if (Prepared(db,
                                    "UPDATE test_clocks SET frozen_time = ?, status = 'ready' "
                                    "WHERE id = ? AND status = 'advancing'",
                                    advance.to, advance.clock_id)
                               ->exec() != 1) {
                         return std::unexpected(TestClockAdvanceLost(advance));
                       }
                       return Ok();
                     });
}

Status SqliteStore::GiveUpAdvance(const ClockAdvance& advance) {
  return connections_->Write(
      {"giving up the advance of test clock", advance.clock_id},
      [&](SQLite::Database& db) -> Status {
        Prepared(db,
                 "UPDATE test_clocks SET status = 'ready' WHERE id = ? AND status = 'advancing'",
                 advance.clock_id)
            ->exec();
        return Ok();
      });
}

Result<std::vector<ClockAdvance>> SqliteStore::AdvancesUnderway() {
  return std::vector<ClockAdvance>();
}

Result<std::int64_t> SqliteStore::AdvanceWorkLeft(const std::string& clock_id, Instant until) {
  return connections_->Read(
      {"looking for the work of test clock", clock_id}, [&](SQLite::Database& db) {
        StatementLease query = Prepared(db,
                                        "SELECT count(*) FROM due_work WHERE done_at IS NULL AND "
                                        "clock_id = ? AND due_at <= ? AND " +
                                            std::string(kNotWaitingForACheckoutSql),
                                        clock_id, until);
        query->executeStep();
        return static_cast<std::int64_t>(query->getColumn(0).getInt64());
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
