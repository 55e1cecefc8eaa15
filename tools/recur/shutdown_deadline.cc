#include "tools/recur/shutdown_deadline.h"

#include <cstdio>
#include <cstdlib>

#include "base/log.h"

namespace recur {

ShutdownDeadline::ShutdownDeadline(std::chrono::steady_clock::time_point deadline,
                                   const Clock& clock)
    : thread_([this, deadline, &clock] {
        std::unique_lock lock(mutex_);
        if (done_changed_.wait_until(lock, deadline, [this] { return done_; })) return;
        Log(clock.Now(), "error", "shutdown_timed_out",
            {{"reason", "requests or due work still running at the shutdown timeout"}});
        std::fflush(nullptr);
        std::_Exit(1);
      }) {}

ShutdownDeadline::~ShutdownDeadline() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  done_changed_.notify_all();
  thread_.join();
}

}  // namespace recur
