// The bound on a stopping `recur serve`: armed when the stop signal comes, it lets the process
// wind down (requests in flight answered, webhook attempts finished or cut, the database closed)
// and, if that has not happened by `deadline`, logs what it gave up on and ends the process with
// exit status 1 instead of leaving it to the supervisor's SIGKILL. Nothing acknowledged is lost
// that way: a change is committed before its answer goes out, and an unanswered request's
// transaction is rolled back by the database. Disarmed by its destruction.
// Thread safety: one owner; its thread is its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/clock.h"

namespace recur {

class ShutdownDeadline {
 public:
  ShutdownDeadline(std::chrono::steady_clock::time_point deadline, const Clock& clock);
  ~ShutdownDeadline();
  ShutdownDeadline(const ShutdownDeadline&) = delete;
  ShutdownDeadline& operator=(const ShutdownDeadline&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace recur
