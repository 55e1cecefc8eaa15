// For tests: the path of a SQLite file in the temporary folder, removed with its WAL
// companions (-wal, -shm) when made and when destroyed. Named per process and per use, so
// test processes may run side by side. Destroy what has the file open first.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace recur {

class TemporaryDatabase {
 public:
  TemporaryDatabase() {
    static std::atomic<int> next = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("recur-test-" + std::to_string(::getpid()) + "-" + std::to_string(next++) + ".db"))
                .string();
    Remove();
  }
  ~TemporaryDatabase() { Remove(); }
  TemporaryDatabase(const TemporaryDatabase&) = delete;
  TemporaryDatabase& operator=(const TemporaryDatabase&) = delete;

  const std::string& path() const { return path_; }

 private:
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  std::string path_;
};

}  // namespace recur
