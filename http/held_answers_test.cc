#include "http/held_answers.h"

#include <atomic>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/wait.h"

namespace recur::held_answers_test {
namespace {

class Resumed {
 public:
  void operator()(void* connection) {
    std::lock_guard lock(mutex_);
    connections_.push_back(connection);
  }
  std::vector<void*> connections() {
    std::lock_guard lock(mutex_);
    return connections_;
  }

 private:
  std::mutex mutex_;
  std::vector<void*> connections_;
};

TEST(HeldAnswers, ResumesEachHeldConnectionOnceItsHoldIsOver) {
  Resumed resumed;
  HeldAnswers held(std::chrono::milliseconds(1), [&](void* c) { resumed(c); });
  int first = 0, second = 0;
  ASSERT_TRUE(held.Hold(&first));
  ASSERT_TRUE(held.Hold(&second));
  EXPECT_TRUE(testing::PollUntil([&] { return resumed.connections().size() == 2; }));
  EXPECT_EQ(resumed.connections(), (std::vector<void*>{&first, &second}));
}

TEST(HeldAnswers, ReleaseAllResumesTheHeldAtOnceAndHoldsNoMore) {
  Resumed resumed;
  HeldAnswers held(std::chrono::hours(1), [&](void* c) { resumed(c); });
  int connection = 0, late = 0;
  ASSERT_TRUE(held.Hold(&connection));
  held.ReleaseAll();
  EXPECT_EQ(resumed.connections(), std::vector<void*>{&connection});
  EXPECT_FALSE(held.Hold(&late));
  EXPECT_EQ(resumed.connections().size(), 1u);
}

}  // namespace
}  // namespace recur::held_answers_test
