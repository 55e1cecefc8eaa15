#include "store/cached/caching_test_clock_store.h"

#include <functional>
#include <map>

#include <gtest/gtest.h>

namespace recur::caching_test_clock_store_test {
namespace {

// Test clocks in a map, counting reads; `during_read` runs after a read has taken its copy,
// as a write that lands while a read is on its way back.
class CountingTestClockStore final : public TestClockStore {
 public:
  Status CreateTestClock(const TestClock& clock) override {
    clocks[clock.id] = clock;
    return Ok();
  }
  Result<std::optional<TestClock>> GetTestClock(const std::string& id) override {
    ++reads;
    auto found = clocks.find(id);
    std::optional<TestClock> copy;
    if (found != clocks.end()) copy = found->second;
    if (during_read) std::exchange(during_read, nullptr)();
    return copy;
  }
  // Every clock, in the order of their ids (what a list looks like is the real stores' to say).
  Result<Page<TestClock>> ListTestClocks(const ListOptions&) override {
    ++lists;
    Page<TestClock> page;
    for (const auto& [id, clock] : clocks) page.data.push_back(clock);
    return page;
  }
  Status UpdateTestClock(const std::string& id, Instant frozen_time,
                         TestClockStatus status) override {
    if (fail_writes) return MakeError(ErrorKind::kUnavailable, "storage_error", "disk full");
    clocks.at(id).frozen_time = frozen_time;
    clocks.at(id).status = status;
    return Ok();
  }
  Result<std::optional<TestClock>> DeleteTestClock(const std::string& id) override {
    if (fail_writes) return MakeError(ErrorKind::kUnavailable, "storage_error", "disk full");
    TestClock& clock = clocks.at(id);
    if (clock.status != TestClockStatus::kAdvancing) clock.status = TestClockStatus::kDeleted;
    return clock;
  }
  Result<std::optional<ClockAdvance>> BeginAdvance(const std::string& id, Instant from,
                                                   Instant to) override {
    TestClock& clock = clocks.at(id);
    if (clock.status != TestClockStatus::kReady || clock.frozen_time != from) return std::nullopt;
    clock.status = TestClockStatus::kAdvancing;
    return ClockAdvance{id, from, to, 0, {}};
  }
  Status RenewAdvance(const ClockAdvance&) override { return Ok(); }
  Status FinishAdvance(const ClockAdvance& advance) override {
    return UpdateTestClock(advance.clock_id, advance.to, TestClockStatus::kReady);
  }
  Status GiveUpAdvance(const ClockAdvance& advance) override {
    return UpdateTestClock(advance.clock_id, advance.from, TestClockStatus::kReady);
  }
  Result<std::vector<ClockAdvance>> AdvancesUnderway() override {
    return std::vector<ClockAdvance>();
  }
  Result<std::int64_t> AdvanceWorkLeft(const std::string&, Instant) override { return 0; }
  Status ReadyAdvancingTestClocks() override {
    for (auto& [id, clock] : clocks) {
      if (clock.status == TestClockStatus::kAdvancing) clock.status = TestClockStatus::kReady;
    }
    return Ok();
  }

  std::map<std::string, TestClock> clocks;
  int reads = 0;
  int lists = 0;
  bool fail_writes = false;
  std::function<void()> during_read;
};

const Instant kStart = FromUnixMillis(1'740'787'200'000);
const Instant kLater = FromUnixMillis(1'742'083'200'000);

TestClock Clock(const std::string& id) {
  return {id, "name " + id, kStart, TestClockStatus::kReady, kStart};
}

Instant FrozenTime(TestClockStore& store, const std::string& id) {
  auto found = store.GetTestClock(id);
  if (!found || !*found) throw std::runtime_error("no clock " + id);
  return (*found)->frozen_time;
}

TEST(CachingTestClockStore, ReadsTheStoreOnceAndThenMemory) {
  CountingTestClockStore inner;
  inner.clocks["clock_a"] = Clock("clock_a");
  CachingTestClockStore store(inner, 16);
  EXPECT_EQ(FrozenTime(store, "clock_a"), kStart);
  EXPECT_EQ(FrozenTime(store, "clock_a"), kStart);
  EXPECT_EQ((*store.GetTestClock("clock_a"))->name, "name clock_a");
  EXPECT_EQ(inner.reads, 1);
}

TEST(CachingTestClockStore, ACreatedClockIsReadFromMemory) {
  CountingTestClockStore inner;
  CachingTestClockStore store(inner, 16);
  ASSERT_TRUE(store.CreateTestClock(Clock("clock_a")));
  EXPECT_EQ(FrozenTime(store, "clock_a"), kStart);
  EXPECT_EQ(inner.reads, 0);
  EXPECT_EQ(inner.clocks.count("clock_a"), 1u);
}

TEST(CachingTestClockStore, AListIsAlwaysTheStoresWithEveryClockWritten) {
  CountingTestClockStore inner;
  CachingTestClockStore store(inner, 16);
  ASSERT_TRUE(store.CreateTestClock(Clock("clock_a")));
  inner.clocks["clock_b"] = Clock("clock_b");  // another writer's
  for (int i = 1; i <= 2; ++i) {
    auto page = store.ListTestClocks({});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->data.size(), 2u);
    EXPECT_EQ(page->data[0].id, "clock_a");
    EXPECT_EQ(page->data[1].id, "clock_b");
    EXPECT_EQ(inner.lists, i);
  }
}

TEST(CachingTestClockStore, AnUpdateIsSeenByTheNextRead) {
  CountingTestClockStore inner;
  inner.clocks["clock_a"] = Clock("clock_a");
  CachingTestClockStore store(inner, 16);
  EXPECT_EQ(FrozenTime(store, "clock_a"), kStart);
  ASSERT_TRUE(store.UpdateTestClock("clock_a", kLater, TestClockStatus::kAdvancing));
  auto found = store.GetTestClock("clock_a");
  EXPECT_EQ((*found)->frozen_time, kLater);
  EXPECT_EQ((*found)->status, TestClockStatus::kAdvancing);
}

TEST(CachingTestClockStore, AReadThatAWriteOvertookIsNotKept) {
  CountingTestClockStore inner;
  inner.clocks["clock_a"] = Clock("clock_a");
  CachingTestClockStore store(inner, 16);
  inner.during_read = [&] {
    ASSERT_TRUE(store.UpdateTestClock("clock_a", kLater, TestClockStatus::kReady));
  };
  EXPECT_EQ(FrozenTime(store, "clock_a"), kStart);  // the read saw the store before the write
  EXPECT_EQ(FrozenTime(store, "clock_a"), kLater);
  EXPECT_EQ(inner.reads, 2);
}

TEST(CachingTestClockStore, AFailedUpdateReadsTheStoreAgain) {
  CountingTestClockStore inner;
  inner.clocks["clock_a"] = Clock("clock_a");
  CachingTestClockStore store(inner, 16);
  EXPECT_EQ(FrozenTime(store, "clock_a"), kStart);
  inner.fail_writes = true;
  EXPECT_FALSE(store.UpdateTestClock("clock_a", kLater, TestClockStatus::kReady));
  EXPECT_EQ(FrozenTime(store, "clock_a"), kStart);
  EXPECT_EQ(inner.reads, 2);
}

TEST(CachingTestClockStore, AnAdvanceTakenAndFinishedIsSeenByTheNextRead) {
  CountingTestClockStore inner;
  inner.clocks["clock_a"] = Clock("clock_a");
  CachingTestClockStore store(inner, 16);
  EXPECT_EQ((*store.GetTestClock("clock_a"))->status, TestClockStatus::kReady);
  auto taken = store.BeginAdvance("clock_a", kStart, kLater);
  ASSERT_TRUE(taken && *taken);
  EXPECT_EQ((*store.GetTestClock("clock_a"))->status, TestClockStatus::kAdvancing);
  ASSERT_TRUE(store.FinishAdvance(**taken));
  EXPECT_EQ(FrozenTime(store, "clock_a"), kLater);
  EXPECT_EQ((*store.GetTestClock("clock_a"))->status, TestClockStatus::kReady);
}

TEST(CachingTestClockStore, ReadyingAdvancingClocksIsSeen) {
  CountingTestClockStore inner;
  inner.clocks["clock_a"] = Clock("clock_a");
  inner.clocks["clock_a"].status = TestClockStatus::kAdvancing;
  CachingTestClockStore store(inner, 16);
  EXPECT_EQ((*store.GetTestClock("clock_a"))->status, TestClockStatus::kAdvancing);
  ASSERT_TRUE(store.ReadyAdvancingTestClocks());
  EXPECT_EQ((*store.GetTestClock("clock_a"))->status, TestClockStatus::kReady);
}

TEST(CachingTestClockStore, MissingClocksAreNotKeptAndCapacityHolds) {
  CountingTestClockStore inner;
  CachingTestClockStore store(inner, 2);
  EXPECT_FALSE(*store.GetTestClock("clock_x"));
  inner.clocks["clock_x"] = Clock("clock_x");
  EXPECT_TRUE(*store.GetTestClock("clock_x"));
  for (const char* id : {"clock_a", "clock_b", "clock_c"}) {
    ASSERT_TRUE(store.CreateTestClock(Clock(id)));
  }
  for (const char* id : {"clock_a", "clock_b", "clock_c", "clock_x"}) {
    EXPECT_EQ(FrozenTime(store, id), kStart) << id;
  }
}

}  // namespace
}  // namespace recur::caching_test_clock_store_test
