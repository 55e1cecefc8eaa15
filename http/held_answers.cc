#include "http/held_answers.h"

#include <utility>
#include <vector>

namespace recur {

HeldAnswers::HeldAnswers(std::chrono::milliseconds hold, std::function<void(void*)> resume)
    : hold_(hold), resume_(std::move(resume)), thread_([this] { Run(); }) {}

HeldAnswers::~HeldAnswers() {
  ReleaseAll();
  thread_.join();
}

bool HeldAnswers::Hold(void* connection) {
  {
    std::lock_guard lock(mutex_);
    if (released_) return false;
    held_.push_back({Clock::now() + hold_, connection});
  }
  changed_.notify_one();
  return true;
}

void HeldAnswers::ReleaseAll() {
  std::deque<Held> releasing;
  {
    std::lock_guard lock(mutex_);
    released_ = true;
    releasing.swap(held_);
  }
  changed_.notify_one();
  for (const Held& held : releasing) resume_(held.connection);
}

void HeldAnswers::Run() {
  std::unique_lock lock(mutex_);
  while (!released_) {
    if (held_.empty()) {
      changed_.wait(lock);
      continue;
    }
    const Clock::time_point until = held_.front().until;
    if (Clock::now() < until) {
      changed_.wait_until(lock, until);
      continue;
    }
    std::vector<void*> due;
    while (!held_.empty() && held_.front().until <= Clock::now()) {
      due.push_back(held_.front().connection);
      held_.pop_front();
    }
    lock.unlock();
    for (void* connection : due) resume_(connection);
    lock.lock();
  }
}

}  // namespace recur
