// Answers held back for a while before they are sent (a tarpit): a client refused by a rate
// limit gets its 429 only after `hold`, so that one firing requests back to back on a
// connection gets a few answers a second instead of thousands, and spends its time waiting
// rather than sending. The server suspends the connection and hands it here; a thread of its own
// resumes each one when its time comes, and the server then sends the answer. A held
// connection costs no thread, only its place among the open connections.
// Thread safety: Hold and ReleaseAll may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace recur {

class HeldAnswers {
 public:
  using Clock = std::chrono::steady_clock;
  // `resume(connection)` is called for each held connection when its hold is over, on the
  // thread of this object (or on the caller's, in ReleaseAll).
  HeldAnswers(std::chrono::milliseconds hold, std::function<void(void*)> resume);
  // Releases every held connection, then joins the thread.
  ~HeldAnswers();
  HeldAnswers(const HeldAnswers&) = delete;
  HeldAnswers& operator=(const HeldAnswers&) = delete;

  // Holds the suspended `connection` until `hold` from now. False (and nothing held) once
  // ReleaseAll has begun: the caller resumes it itself.
  bool Hold(void* connection);
  // Resumes every held connection now, and holds none from here on (the server stops).
  void ReleaseAll();

 private:
  struct Held {
    Clock::time_point until;
    void* connection;
  };
  void Run();

  const std::chrono::milliseconds hold_;
  const std::function<void(void*)> resume_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Held> held_;  // in the order of their ends: one hold for all
  bool released_ = false;
  std::thread thread_;
};

}  // namespace recur
