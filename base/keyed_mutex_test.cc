#include "base/keyed_mutex.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace recur::keyed_mutex_test {
namespace {

TEST(KeyedMutex, SerializesHoldersOfOneKey) {
  KeyedMutex mutex;
  int counter = 0;  // unsynchronized on purpose: only the keyed lock protects it
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        auto guard = mutex.Lock("payer");
        counter = counter + 1;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter, 8000);
}

TEST(KeyedMutex, DifferentKeysDoNotBlockEachOther) {
  KeyedMutex mutex;
  auto held = mutex.Lock("a");
  std::atomic<bool> other_locked = false;
  std::thread other([&] {
    auto guard = mutex.Lock("b");
    other_locked = true;
  });
  other.join();  // would never return if "b" waited for "a"
  EXPECT_TRUE(other_locked);
}

}  // namespace
}  // namespace recur::keyed_mutex_test
