// A TestClockStore that keeps the test clocks it has read or written in memory, so that the
// time of a payer on a test clock, read for every change of the payer and every pricing table,
// skips the database. Writes go to the store first and then to memory. A read of the store
// that began before a write never puts the older clock back, so once a write has returned,
// every read sees it.
// At most `capacity` clocks are kept; past that, all are dropped and read again as needed.
// For a process alone on its database (SQLite), where test clocks are only written by it. Where
// other nodes write the same database it is not used: a clock is one small row read by its key,
// so checking a held one against the database would cost what reading it costs, and the node
// reads the store directly (tools/recur/serve_command.cc, Engine).
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/test_clock_store.h"

namespace recur {

class CachingTestClockStore final : public TestClockStore {
 public:
  CachingTestClockStore(TestClockStore& inner, std::size_t capacity)
      : inner_(inner), capacity_(capacity) {}

  Status CreateTestClock(const TestClock& clock) override;
  Result<std::optional<TestClock>> GetTestClock(const std::string& id) override;
  // From the store: a list is read where every clock is, and every write reaches it first.
  Result<Page<TestClock>> ListTestClocks(const ListOptions& options) override {
    return inner_.ListTestClocks(options);
  }
  Result<std::optional<TestClock>> DeleteTestClock(const std::string& id) override;
  Status UpdateTestClock(const std::string& id, Instant frozen_time,
                         TestClockStatus status) override;
  Result<std::optional<ClockAdvance>> BeginAdvance(const std::string& id, Instant from,
                                                   Instant to) override;
  Status RenewAdvance(const ClockAdvance& advance) override { return inner_.RenewAdvance(advance); }
  Status FinishAdvance(const ClockAdvance& advance) override;
  Status GiveUpAdvance(const ClockAdvance& advance) override;
  Result<std::vector<ClockAdvance>> AdvancesUnderway() override {
    return inner_.AdvancesUnderway();
  }
  Result<std::int64_t> AdvanceWorkLeft(const std::string& clock_id, Instant until) override {
    return inner_.AdvanceWorkLeft(clock_id, until);
  }
  Status ReadyAdvancingTestClocks() override;

 private:
  void Keep(const TestClock& clock);   // with mutex_ held
  void Forget(const std::string& id);  // after a write of the clock to the store

  TestClockStore& inner_;
  const std::size_t capacity_;
  std::mutex mutex_;
  std::uint64_t writes_ = 0;  // writes done; a read that began at fewer is not kept
  std::unordered_map<std::string, TestClock> clocks_;
};

}  // namespace recur
