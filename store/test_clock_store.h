// Where test clocks are kept (see services/scheduler/test_clocks.h), and the advances of them.
//
// One advance of a clock at a time, across every node (store) sharing the database. BeginAdvance
// takes the clock in one conditional write: "advancing", with the target time, held by this
// store under a lease (timed by the database's clock, never a node's or a test clock's) and a
// number new at every take; it takes a clock that is "ready" at the time the caller read, or
// whose advance is abandoned (its lease lapsed: its node died or paused), and nothing else. The
// node renews the lease while the advance runs (every third of ClockAdvance::lease). Finishing
// moves the clock to its target and readies it, and giving up readies it at the time it had;
// both only while the advance is still the one taken (same number), so a node that lost its
// advance to another changes nothing of the clock. Work the advance applied stays applied either
// way: each piece is done once (account_store.h).
// A store one node has to itself (SQLite: one process holds the file) needs no lease: an advance
// left "advancing" is one a crash cut short, ClockAdvance::lease is 0 and nothing is renewed.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "store/page.h"

namespace recur {

enum class TestClockStatus {
  kReady,      // may be advanced
  kAdvancing,  // an advance is running (or was cut short by a crash)
  kDeleted,    // kept for the payers that lived on it; never advanced again
};
std::string_view TestClockStatusName(TestClockStatus status);  // "ready", "advancing", "deleted"
std::optional<TestClockStatus> ParseTestClockStatus(std::string_view name);

struct TestClock {
  std::string id;  // clock_...
  std::string name;
  Instant frozen_time;
  TestClockStatus status = TestClockStatus::kReady;
  Instant created_at;
};

// An advance a store took (BeginAdvance), or one underway on another node (AdvancesUnderway).
struct ClockAdvance {
  std::string clock_id;
  Instant from;  // the clock's time when the advance began
  Instant to;    // the time it moves to
  // The advance's number, new at every take: what finishing, giving up and renewing check.
  std::int64_t number = 0;
  // How long the advance holds the clock unless renewed; 0: held until finished or given up.
  std::chrono::milliseconds lease{0};
};

// "test_clock_advance_lost" (kAborted): `advance` no longer holds its clock.
Error TestClockAdvanceLost(const ClockAdvance& advance);

class TestClockStore {
 public:
  virtual ~TestClockStore() = default;
  virtual Status CreateTestClock(const TestClock& clock) = 0;
  virtual Result<std::optional<TestClock>> GetTestClock(const std::string& id) = 0;
  // Every clock, deleted ones included, newest first (by created_at, then by id, the greater
  // first), in pages whose starting_after names a clock (store/page.h).
  virtual Result<Page<TestClock>> ListTestClocks(const ListOptions& options) = 0;
  virtual Status UpdateTestClock(const std::string& id, Instant frozen_time,
                                 TestClockStatus status) = 0;

  // Deletes clock `id` in one conditional write, unless an advance holds it (its status is
  // "advancing"), so that no advance begun meanwhile is overwritten. Returns the clock as it
  // stands after: "deleted", or "advancing" and unchanged; nullopt when there is no such clock.
  virtual Result<std::optional<TestClock>> DeleteTestClock(const std::string& id) = 0;

  // Takes clock `id` for an advance from `from` to `to` (above), if the clock is ready at
  // `from`, or advancing under an abandoned advance that began at `from`. nullopt: not taken
  // (another advance holds it, it moved on, it is deleted or gone); nothing changed.
  virtual Result<std::optional<ClockAdvance>> BeginAdvance(const std::string& id, Instant from,
                                                           Instant to) = 0;
  // Extends the advance's lease; "test_clock_advance_lost" (kAborted) when it is no longer held.
  virtual Status RenewAdvance(const ClockAdvance& advance) = 0;
  // Sets the clock to the advance's target and readies it; "test_clock_advance_lost" (kAborted),
  // changing nothing, when the advance is no longer the one holding the clock.
  virtual Status FinishAdvance(const ClockAdvance& advance) = 0;
  // Readies the clock at the time it had, if the advance still holds it (else nothing changes).
  virtual Status GiveUpAdvance(const ClockAdvance& advance) = 0;
  // The advances other nodes are running now (held under a running lease), for this node's
  // scheduler to share their work. A store one node has to itself lists none: its advances run
  // in the request that began them.
  virtual Result<std::vector<ClockAdvance>> AdvancesUnderway() = 0;
  // How many pieces of work not yet done of the payers on clock `clock_id`, due at or before
  // `until`, remain, whoever holds them; the work of a payer waiting for a checkout is left out,
  // as DueWorkUntil leaves it (account_store.h).
  virtual Result<std::int64_t> AdvanceWorkLeft(const std::string& clock_id, Instant until) = 0;
  // At a node's start: the clocks whose advance is abandoned (a crash cut it short; on a shared
  // database, its lease lapsed) are "ready" again at the time they had, and the advance can be
  // asked for again. An advance another node is running is left to it.
  virtual Status ReadyAdvancingTestClocks() = 0;
};

}  // namespace recur
