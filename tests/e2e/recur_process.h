// Runs real programs for end-to-end tests, above all the `recur` binary: a one-shot command
// (RunCommand, RunRecur) with its stdin from a file and its stdout, stderr and exit status
// captured; a program in the background (BackgroundProcess) whose output is captured as it
// comes; and `recur serve` on a free loopback port (RecurServer). Background processes are
// stopped with SIGTERM (then SIGKILL) when destroyed.
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
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] found on PATH when it has no slash) to completion in `working_dir`, with
// extra environment variables and stdin read from `stdin_path` (none: no stdin).
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_path = "",
                         const std::string& working_dir = ".",
                         const std::map<std::string, std::string>& env = {});

// RunCommand of `recur args...`.
CommandResult RunRecur(const std::vector<std::string>& args, const std::string& working_dir = ".",
                       const std::map<std::string, std::string>& env = {},
                       const std::string& stdin_path = "");

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

// A program running in the background with its stdout and stderr captured.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& working_dir,
                    const std::map<std::string, std::string>& env);
  ~BackgroundProcess();  // SIGTERM, then SIGKILL if it does not end within 10 s
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  std::string Stdout() const;
  std::string Stderr() const;
  // Waits until stdout / stderr contains `needle` `occurrences` times; false after `timeout`.
  bool WaitForStdout(const std::string& needle, std::chrono::milliseconds timeout) const;
  bool WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout,
                     std::size_t occurrences = 1) const;

  void Signal(int signal) const;
  pid_t pid() const { return pid_; }
  // Whether it has ended (the exit status is then known).
  bool Ended();
  // Waits for the end and returns the exit status (128 + signal), or -1 after `timeout`.
  int WaitForExit(std::chrono::milliseconds timeout);
  // Waits for both output streams to close (after the end).
  void JoinOutput();

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  mutable std::mutex mutex_;
  std::string out_, err_;
  std::thread out_reader_, err_reader_;
};

class RecurServer {
 public:
  struct Options {
    std::string db;     // --db
    std::string plans;  // --plans
    std::map<std::string, std::string> env;
    std::vector<std::string> args;  // more flags
    // A command the server runs under: its words come before recur's (e.g. `unshare ...`, which
    // ends by running the rest). It must exec recur, so that the server's pid is the launcher's.
    std::vector<std::string> launcher;
    // The recur program to run; empty: the one this build made (RecurBinary()).
    std::string binary;
  };

  // Starts `recur serve --addr 127.0.0.1:0` and waits until it logs that it listens. Returns
  // null if it exited first; `exit_code` and `output` then tell why.
  static std::unique_ptr<RecurServer> Start(const Options& options, int* exit_code = nullptr,
                                            std::string* output = nullptr);

  int port() const { return port_; }
  // With no authorization header; its exchanges recorded when asked (exchange_recorder.h).
  httplib::Client Client() const;

  std::string Stdout() const { return process_->Stdout(); }
  std::string Stderr() const { return process_->Stderr(); }
  bool WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout,
                     std::size_t occurrences = 1) const {
    return process_->WaitForStderr(needle, timeout, occurrences);
  }
  void Signal(int signal) const { process_->Signal(signal); }
  pid_t pid() const { return process_->pid(); }
  int WaitForExit(std::chrono::milliseconds timeout) { return process_->WaitForExit(timeout); }

 private:
  explicit RecurServer(std::unique_ptr<BackgroundProcess> process, int port)
      : process_(std::move(process)), port_(port) {}

  std::unique_ptr<BackgroundProcess> process_;
  int port_ = 0;
};

}  // namespace recur::testing
