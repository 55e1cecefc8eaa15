#include "tests/e2e/recur_process.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

namespace recur::testing {
namespace {

using namespace std::chrono_literals;

struct Child {
  pid_t pid;
  int out_fd;
  int err_fd;
};

Child Spawn(const std::vector<std::string>& args, const std::string& working_dir,
            const std::map<std::string, std::string>& env) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv_storage = {RecurBinary()};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    close(out_pipe[0]);
    close(err_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (chdir(working_dir.c_str()) != 0) _exit(127);
    unsetenv("RECUR_SECRET_KEY");  // only what the test states
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(argv[0], argv.data());
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

}  // namespace

std::string RecurBinary() { return RECUR_BINARY; }

CommandResult RunRecur(const std::vector<std::string>& args, const std::string& working_dir,
                       const std::map<std::string, std::string>& env) {
  Child child = Spawn(args, working_dir, env);
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

std::unique_ptr<RecurServer> RecurServer::Start(const Options& options, int* exit_code,
                                                std::string* output) {
  std::vector<std::string> args = {"serve", "--addr", "127.0.0.1:0"};
  if (!options.db.empty()) args.insert(args.end(), {"--db", options.db});
  if (!options.plans.empty()) args.insert(args.end(), {"--plans", options.plans});
  args.insert(args.end(), options.args.begin(), options.args.end());
  Child child = Spawn(args, std::filesystem::temp_directory_path().string(), options.env);

  std::unique_ptr<RecurServer> server(new RecurServer());
  server->pid_ = child.pid;
  server->out_reader_ =
      std::thread([s = server.get(), fd = child.out_fd] { ReadAll(fd, s->mutex_, s->out_); });
  server->err_reader_ =
      std::thread([s = server.get(), fd = child.err_fd] { ReadAll(fd, s->mutex_, s->err_); });

  static const std::regex kListening(R"re("addr":"127\.0\.0\.1:(\d+)")re");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(server->mutex_);
      std::smatch match;
      if (std::regex_search(server->err_, match, kListening)) {
        server->port_ = std::stoi(match[1]);
        return server;
      }
    }
    int status = 0;
    if (waitpid(server->pid_, &status, WNOHANG) == server->pid_) {
      server->exit_code_ = ExitCodeOf(status);
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  if (!server->exit_code_) server->WaitForExit(5s);
  if (exit_code) *exit_code = server->exit_code_.value_or(-1);
  server->out_reader_.join();
  server->err_reader_.join();
  if (output) *output = server->out_ + server->err_;
  server->pid_ = -1;
  return nullptr;
}

RecurServer::~RecurServer() {
  if (pid_ > 0 && !exit_code_) {
    Signal(SIGTERM);
    if (WaitForExit(10s) < 0) {
      kill(pid_, SIGKILL);
      WaitForExit(10s);
    }
  }
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

httplib::Client RecurServer::Client() const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(5s);
  client.set_read_timeout(10s);
  return client;
}

std::string RecurServer::Stdout() const {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string RecurServer::Stderr() const {
  std::lock_guard lock(mutex_);
  return err_;
}

bool RecurServer::WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout,
                                std::size_t occurrences) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (CountOccurrences(Stderr(), needle) >= occurrences) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

void RecurServer::Signal(int signal) const { kill(pid_, signal); }

int RecurServer::WaitForExit(std::chrono::milliseconds timeout) {
  if (exit_code_) return *exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = ExitCodeOf(status);
      return *exit_code_;
    }
    std::this_thread::sleep_for(5ms);
  }
  return -1;
}

}  // namespace recur::testing
