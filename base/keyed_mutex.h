// Mutual exclusion per key: Lock("cpayer_1") blocks only other holders of "cpayer_1". Entries
// live while someone holds or waits for them, so memory follows the number of keys in use, not
// the number ever seen. Thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <unordered_map>

namespace recur {

class KeyedMutex {
 public:
  class Guard {
   public:
    Guard(KeyedMutex& owner, std::string key);
    ~Guard();
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    KeyedMutex& owner_;
    std::string key_;
  };

  Guard Lock(std::string key) { return Guard(*this, std::move(key)); }

 private:
  struct Entry {
    bool held = false;
    int waiters = 0;
  };
  std::mutex mutex_;
  std::condition_variable released_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace recur
