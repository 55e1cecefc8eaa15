#include "store/cached/caching_test_clock_store.h"

namespace recur {

// Every write goes to the store first. Then, under the mutex, it counts itself and puts the
// memory right: a read that began before that count was taken is not kept, since it may have
// seen the store before the write; one kept before the count is put right with the rest.

void CachingTestClockStore::Keep(const TestClock& clock) {
  if (clocks_.size() >= capacity_ && !clocks_.contains(clock.id)) clocks_.clear();
  clocks_.insert_or_assign(clock.id, clock);
}

Status CachingTestClockStore::CreateTestClock(const TestClock& clock) {
  Status created = inner_.CreateTestClock(clock);
  std::lock_guard lock(mutex_);
  ++writes_;
  if (created) Keep(clock);
  return created;
}

Result<std::optional<TestClock>> CachingTestClockStore::GetTestClock(const std::string& id) {
  std::uint64_t writes_before;
  {
    std::lock_guard lock(mutex_);
    if (auto kept = clocks_.find(id); kept != clocks_.end()) return kept->second;
    writes_before = writes_;
  }
  auto found = inner_.GetTestClock(id);
  if (found && *found) {
    std::lock_guard lock(mutex_);
    if (writes_ == writes_before) Keep(**found);
  }
  return found;
}

void CachingTestClockStore::Forget(const std::string& id) {
  std::lock_guard lock(mutex_);
  ++writes_;
  clocks_.erase(id);  // read again, as the store now has it
}

Status CachingTestClockStore::UpdateTestClock(const std::string& id, Instant frozen_time,
                                              TestClockStatus status) {
  Status updated = inner_.UpdateTestClock(id, frozen_time, status);
  Forget(id);
  return updated;
}

Result<std::optional<TestClock>> CachingTestClockStore::DeleteTestClock(const std::string& id) {
  auto deleted = inner_.DeleteTestClock(id);
  Forget(id);
  return deleted;
}

Result<std::optional<ClockAdvance>> CachingTestClockStore::BeginAdvance(const std::string& id,
                                                                        Instant from, Instant to) {
  auto began = inner_.BeginAdvance(id, from, to);
  Forget(id);
  return began;
}

Status CachingTestClockStore::FinishAdvance(const ClockAdvance& advance) {
  Status finished = inner_.FinishAdvance(advance);
  Forget(advance.clock_id);
  return finished;
}

Status CachingTestClockStore::GiveUpAdvance(const ClockAdvance& advance) {
  Status given_up = inner_.GiveUpAdvance(advance);
  Forget(advance.clock_id);
  return given_up;
}

Status CachingTestClockStore::ReadyAdvancingTestClocks() {
  Status readied = inner_.ReadyAdvancingTestClocks();
  std::lock_guard lock(mutex_);
  ++writes_;
  clocks_.clear();
  return readied;
}

}  // namespace recur
