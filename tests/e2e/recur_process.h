// Runs the real `recur` binary for end-to-end tests: a one-shot command (RunRecur) or a
// `recur serve` in the background on a free loopback port (RecurServer), with its stdout and
// stderr captured. RecurServer stops the server with SIGTERM when destroyed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace recur::testing {

// The path of the recur binary under test.
std::string RecurBinary();

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `recur args...` to completion in `working_dir` with extra environment variables.
CommandResult RunRecur(const std::vector<std::string>& args, const std::string& working_dir = ".",
                       const std::map<std::string, std::string>& env = {});

// A fresh temporary folder, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& text);

class RecurServer {
 public:
  struct Options {
    std::string db;     // --db
    std::string plans;  // --plans
    std::map<std::string, std::string> env;
    std::vector<std::string> args;  // more flags
  };

  // Starts `recur serve --addr 127.0.0.1:0` and waits until it logs that it listens. Returns
  // null if it exited first; `exit_code` and `output` then tell why.
  static std::unique_ptr<RecurServer> Start(const Options& options, int* exit_code = nullptr,
                                            std::string* output = nullptr);
  ~RecurServer();

  int port() const { return port_; }
  httplib::Client Client() const;  // with no authorization header

  std::string Stdout() const;
  std::string Stderr() const;
  // Waits until stderr contains `needle` (counted from the `skip`-th occurrence on).
  bool WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout,
                     std::size_t occurrences = 1) const;

  void Signal(int signal) const;
  // Waits for the process to end and returns its exit status (or 128 + signal).
  int WaitForExit(std::chrono::milliseconds timeout);

 private:
  RecurServer() = default;

  pid_t pid_ = -1;
  int port_ = 0;
  std::optional<int> exit_code_;
  mutable std::mutex mutex_;
  std::string out_, err_;
  std::thread out_reader_, err_reader_;
};

}  // namespace recur::testing
