#include "tests/e2e/recur_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string_view>

#include "tests/e2e/exchange_recorder.h"
#include "tests/support/wait.h"

namespace recur::testing {
namespace {

using namespace std::chrono_literals;

struct Child {
  pid_t pid;
  int out_fd;
  int err_fd;
};

// The child's environment: this process's, less RECUR_SECRET_KEY (only what the test states),
// with the test's variables over it. Built before fork: between fork and exec the child may only
// make async-signal-safe calls, since another thread may have held the allocator's lock when the
// process forked.
std::vector<std::string> ChildEnvironment(const std::map<std::string, std::string>& env) {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::string name(text.substr(0, text.find('=')));
    if (name != "RECUR_SECRET_KEY" && env.count(name) == 0) entries.emplace_back(text);
  }
  for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
  return entries;
}

std::vector<char*> NullTerminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

Child Spawn(const std::vector<std::string>& args, const std::string& working_dir,
            const std::map<std::string, std::string>& env, const std::string& stdin_path) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  std::vector<std::string> argv_storage = args;
  const std::vector<char*> argv = NullTerminated(argv_storage);
  std::vector<std::string> env_storage = ChildEnvironment(env);
  const std::vector<char*> envp = NullTerminated(env_storage);
  const std::string stdin_file = stdin_path.empty() ? "/dev/null" : stdin_path;

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {  // async-signal-safe calls only from here to exec
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    const int in = open(stdin_file.c_str(), O_RDONLY);
    if (in < 0) _exit(126);
    dup2(in, STDIN_FILENO);
    if (chdir(working_dir.c_str()) != 0) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvpe(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  return {pid, out_pipe[0], err_pipe[0]};
}

void ReadAll(int fd, std::mutex& mutex, std::string& into) {
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    std::lock_guard lock(mutex);
    into.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::size_t CountOccurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

template <typename Read>
bool WaitFor(Read read, const std::string& needle, std::chrono::milliseconds timeout,
             std::size_t occurrences) {
  return PollUntil([&] { return CountOccurrences(read(), needle) >= occurrences; }, timeout);
}

}  // namespace

std::string RecurBinary() { return RECUR_BINARY; }

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_path,
                         const std::string& working_dir,
                         const std::map<std::string, std::string>& env) {
  Child child = Spawn(argv, working_dir, env, stdin_path);
  CommandResult result;
  std::mutex mutex;
  std::thread out([&] { ReadAll(child.out_fd, mutex, result.out); });
  std::thread err([&] { ReadAll(child.err_fd, mutex, result.err); });
  int status = 0;
  waitpid(child.pid, &status, 0);
  out.join();
  err.join();
  result.exit_code = ExitCodeOf(status);
  return result;
}

CommandResult RunRecur(const std::vector<std::string>& args, const std::string& working_dir,
                       const std::map<std::string, std::string>& env,
                       const std::string& stdin_path) {
  std::vector<std::string> argv = {RecurBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, stdin_path, working_dir, env);
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "recur-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void WriteFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::string& working_dir,
                                     const std::map<std::string, std::string>& env) {
  Child child = Spawn(argv, working_dir, env, "");
  pid_ = child.pid;
  out_reader_ = std::thread([this, fd = child.out_fd] { ReadAll(fd, mutex_, out_); });
  err_reader_ = std::thread([this, fd = child.err_fd] { ReadAll(fd, mutex_, err_); });
}

BackgroundProcess::~BackgroundProcess() {
  if (!Ended()) {
    Signal(SIGTERM);
    if (WaitForExit(10s) < 0) {
      kill(pid_, SIGKILL);
      WaitForExit(10s);
    }
  }
  JoinOutput();
}

std::string BackgroundProcess::Stdout() const {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string BackgroundProcess::Stderr() const {
  std::lock_guard lock(mutex_);
  return err_;
}

bool BackgroundProcess::WaitForStdout(const std::string& needle,
                                      std::chrono::milliseconds timeout) const {
  return WaitFor([this] { return Stdout(); }, needle, timeout, 1);
}

bool BackgroundProcess::WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout,
                                      std::size_t occurrences) const {
  return WaitFor([this] { return Stderr(); }, needle, timeout, occurrences);
}

void BackgroundProcess::Signal(int signal) const { kill(pid_, signal); }

bool BackgroundProcess::Ended() {
  if (exit_code_) return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
  exit_code_ = ExitCodeOf(status);
  return true;
}

int BackgroundProcess::WaitForExit(std::chrono::milliseconds timeout) {
  return PollUntil([this] { return Ended(); }, timeout) ? *exit_code_ : -1;
}

void BackgroundProcess::JoinOutput() {
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

std::unique_ptr<RecurServer> RecurServer::Start(const Options& options, int* exit_code,
                                                std::string* output) {
  std::vector<std::string> argv = options.launcher;
  argv.insert(argv.end(), {options.binary.empty() ? RecurBinary() : options.binary, "serve",
                           "--addr", "127.0.0.1:0"});
  if (!options.db.empty()) argv.insert(argv.end(), {"--db", options.db});
  if (!options.plans.empty()) argv.insert(argv.end(), {"--plans", options.plans});
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  auto process = std::make_unique<BackgroundProcess>(
      argv, std::filesystem::temp_directory_path().string(), options.env);

  static const std::regex kListening(R"re("addr":"127\.0\.0\.1:(\d+)")re");
  int port = 0;
  PollUntil([&] {
    std::smatch match;
    const std::string err = process->Stderr();
    if (std::regex_search(err, match, kListening)) port = std::stoi(match[1]);
    return port != 0 || process->Ended();
  });
  if (port != 0) return std::unique_ptr<RecurServer>(new RecurServer(std::move(process), port));
  int code = process->WaitForExit(5s);
  if (code < 0) {  // still running but not listening: give up on it
    process->Signal(SIGKILL);
    code = process->WaitForExit(5s);
  }
  process->JoinOutput();
  if (exit_code) *exit_code = code;
  if (output) *output = process->Stdout() + process->Stderr();
  return nullptr;
}

httplib::Client RecurServer::Client() const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(5s);
  client.set_read_timeout(10s);
  RecordExchanges(client);
  return client;
}

}  // namespace recur::testing
