// Waiting in tests for a condition rather than for a fixed time. PollUntil checks a condition
// every few milliseconds until it holds or a deadline passes; WaitUntil does the same for an
// assertion and, when it gives up, says what it waited for. Deadlines are generous (kPatience
// by default): they are there to end a test that would hang, not to measure anything, so a
// slow machine or a sanitizer build only makes a test slower, never makes it fail.
// A test that must show that something does not happen waits for a later thing that must come
// after it instead (a marker delivery, a recorded attempt), never for a while.
// The condition runs on the calling thread; it should be cheap and must not block for long.
#pragma once

#include <chrono>
#include <string_view>
#include <thread>

#include <gtest/gtest.h>

namespace recur::testing {

// Long enough for anything a test waits for to happen under the sanitizers on a busy machine.
inline constexpr std::chrono::milliseconds kPatience = std::chrono::seconds(20);

// Whether `condition()` came to hold within `timeout` (it is checked once more at the end).
template <typename Condition>
bool PollUntil(Condition&& condition, std::chrono::milliseconds timeout = kPatience,
               std::chrono::milliseconds interval = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(interval);
  }
  return true;
}

// PollUntil as an assertion: ASSERT_TRUE(WaitUntil("the third attempt recorded", [&] {...}));
// a failure reads "waited 20 s for the third attempt recorded".
template <typename Condition>
::testing::AssertionResult WaitUntil(std::string_view what, Condition&& condition,
                                     std::chrono::milliseconds timeout = kPatience) {
  if (PollUntil(condition, timeout)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "waited " << std::chrono::duration<double>(timeout).count() << " s for " << what;
}

}  // namespace recur::testing
