// A fixed set of threads running submitted tasks in order of submission. The API's server runs
// on it the handlers that may wait (on the database's write queue), off the threads that read
// and write sockets. Thread safety: Submit and Drain may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace recur {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads);
  // Drains, then joins the threads.
  ~WorkerPool();

  // Queues `task`; false (and `task` not run) once Drain() has begun.
  bool Submit(std::function<void()> task);
  // Refuses further tasks and waits until every queued one has run.
  void Drain();

 private:
  void Work();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> tasks_;
  std::size_t running_ = 0;
  bool draining_ = false;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace recur
