#include "http/worker_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

namespace recur::worker_pool_test {
namespace {

TEST(WorkerPool, RunsEverySubmittedTaskBeforeDrainReturns) {
  WorkerPool pool(3);
  std::atomic<int> ran = 0;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.Submit([&] { ++ran; }));
  pool.Drain();
  EXPECT_EQ(ran, 100);
}

TEST(WorkerPool, DrainWaitsForATaskThatIsRunning) {
  WorkerPool pool(1);
  std::mutex mutex;
  std::condition_variable changed;
  bool started = false;
  bool finished = false;
  ASSERT_TRUE(pool.Submit([&] {
    std::unique_lock lock(mutex);
    started = true;
    changed.notify_all();
    changed.wait(lock, [&] { return finished; });
  }));
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return started; });
  }
  std::atomic<bool> drained = false;
  std::thread draining([&] {
    pool.Drain();
    drained = true;
  });
  {
    std::lock_guard lock(mutex);
    EXPECT_FALSE(drained);  // the task holds the mutex's condition: it cannot have ended
    finished = true;
  }
  changed.notify_all();
  draining.join();
  EXPECT_TRUE(drained);
}

TEST(WorkerPool, RefusesTasksOnceDraining) {
  WorkerPool pool(2);
  pool.Drain();
  bool ran = false;
  EXPECT_FALSE(pool.Submit([&] { ran = true; }));
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace recur::worker_pool_test
