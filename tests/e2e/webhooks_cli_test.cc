// `recur webhooks sign` and `recur webhooks listen` as a user runs them: the real binary, its
// stdin, stdout, stderr and exit status, and deliveries posted over HTTP.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/recur_process.h"
#include "webhooks/signing.h"

namespace recur::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// The Standard Webhooks reference vector: secret, message id, timestamp, body, signature.
constexpr const char* kVectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kVectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr const char* kVectorTimestamp = "1614265330";
constexpr const char* kVectorBody = R"({"test": 2432232314})";
constexpr const char* kVectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string ShellQuoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `recur args... < stdin_path` through the shell (RunRecur gives the child no stdin).
CommandResult RunRecurWithStdin(const std::vector<std::string>& args, const std::string& stdin_path,
                                const TempDir& dir) {
  std::string command = ShellQuoted(RecurBinary());
  for (const std::string& arg : args) command += " " + ShellQuoted(arg);
  const std::string err_path = dir / "stderr.txt";
  command += " < " + ShellQuoted(stdin_path) + " 2> " + ShellQuoted(err_path);
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed: " << command;
    return result;
  }
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = ReadFile(err_path);
  return result;
}

// `recur webhooks listen --port 0 ...` in the background, its output captured. Destruction
// kills it if it still runs.
class Listener {
 public:
  explicit Listener(const std::vector<std::string>& flags) {
    std::vector<std::string> storage = {RecurBinary(), "webhooks", "listen", "--port", "0"};
    storage.insert(storage.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (std::string& arg : storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(out_pipe[1], STDOUT_FILENO);
      dup2(err_pipe[1], STDERR_FILENO);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_reader_ = std::thread([this, fd = out_pipe[0]] { Read(fd, out_); });
    err_reader_ = std::thread([this, fd = err_pipe[0]] { Read(fd, err_); });
  }

  ~Listener() {
    if (!exit_code_) {
      kill(pid_, SIGKILL);
      WaitForExit(10s);
    }
    out_reader_.join();
    err_reader_.join();
  }

  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The port from "listening on 127.0.0.1:PORT", or 0 if none is logged in time.
  int WaitForPort() {
    static const std::regex kListening(R"(listening on 127\.0\.0\.1:(\d+))");
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline && !exit_code_) {
      std::smatch match;
      const std::string err = Stderr();
      if (std::regex_search(err, match, kListening)) return std::stoi(match[1]);
      Poll();
      std::this_thread::sleep_for(5ms);
    }
    return 0;
  }

  bool WaitForStdout(const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Stdout().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  void Signal(int signal) const { kill(pid_, signal); }

  // The exit status (128 + signal if killed), or -1 if it still runs after `timeout`.
  int WaitForExit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!Poll() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    return exit_code_.value_or(-1);
  }

  std::string Stdout() const {
    std::lock_guard lock(mutex_);
    return out_;
  }
  std::string Stderr() const {
    std::lock_guard lock(mutex_);
    return err_;
  }

 private:
  void Read(int fd, std::string& into) {
    char buffer[4096];
    ssize_t n = 0;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) {
      std::lock_guard lock(mutex_);
      into.append(buffer, static_cast<std::size_t>(n));
    }
    close(fd);
  }

  // True once the process has ended.
  bool Poll() {
    if (exit_code_) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }

  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  mutable std::mutex mutex_;
  std::string out_, err_;
  std::thread out_reader_, err_reader_;
};

httplib::Result Deliver(int port, const std::string& path, const std::string& id,
                        std::int64_t timestamp, const std::string& signature,
                        const std::string& body) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5s);
  client.set_read_timeout(10s);
  const httplib::Headers headers = {{"webhook-id", id},
                                    {"webhook-timestamp", std::to_string(timestamp)},
                                    {"webhook-signature", signature}};
  return client.Post(path.c_str(), headers, body, "application/json");
}

std::int64_t WallClockSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(WebhooksCli, SignReproducesTheReferenceVectorFromStdin) {
  TempDir dir;
  WriteFile(dir / "body.json", kVectorBody);  // exactly the payload, no trailing newline
  CommandResult result = RunRecurWithStdin({"webhooks", "sign", "--secret", kVectorSecret, "--id",
                                            kVectorId, "--timestamp", kVectorTimestamp},
                                           dir / "body.json", dir);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, std::string(kVectorSignature) + "\n");
  EXPECT_EQ(result.err, "");
}

TEST(WebhooksCli, SignReadsBinaryBodiesExactly) {
  TempDir dir;
  const std::string body("{\"a\":\0\"\xff\"}\r\n\n", 13);
  WriteFile(dir / "body.bin", body);
  CommandResult result =
      RunRecurWithStdin({"webhooks", "sign", "--secret=" + std::string(kVectorSecret), "--id=msg_1",
                         "--timestamp=1700000000"},
                        dir / "body.bin", dir);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto secret = DecodeWebhookSecret(kVectorSecret);
  ASSERT_TRUE(secret);
  EXPECT_EQ(result.out, SignWebhook(*secret, "msg_1", 1700000000, body) + "\n");
}

TEST(WebhooksCli, SignRejectsBadUsageWithStatus2) {
  TempDir dir;
  WriteFile(dir / "body.json", kVectorBody);
  const std::vector<std::vector<std::string>> cases = {
      {"webhooks", "sign", "--secret", "whsec_not base64!", "--id", kVectorId, "--timestamp",
       kVectorTimestamp},
      {"webhooks", "sign", "--secret", "whsec_", "--id", kVectorId, "--timestamp",
       kVectorTimestamp},
      {"webhooks", "sign", "--secret", kVectorSecret, "--timestamp", kVectorTimestamp},
      {"webhooks", "sign", "--secret", kVectorSecret, "--id", kVectorId, "--timestamp", "soon"},
  };
  for (const auto& args : cases) {
    CommandResult result = RunRecurWithStdin(args, dir / "body.json", dir);
    EXPECT_EQ(result.exit_code, 2) << args[3];
    EXPECT_EQ(result.out, "");
    EXPECT_THAT(result.err, HasSubstr("recur webhooks sign: "));
  }
  CommandResult bad_secret = RunRecurWithStdin(cases[0], dir / "body.json", dir);
  EXPECT_THAT(bad_secret.err, HasSubstr("not base64"));
}

TEST(WebhooksCli, ListenVerifiesDeliveriesAndStopsOnSigterm) {
  const std::string secret_text = NewWebhookSecretText();
  auto secret = DecodeWebhookSecret(secret_text);
  ASSERT_TRUE(secret);
  Listener listener({"--secret", secret_text});
  const int port = listener.WaitForPort();
  ASSERT_GT(port, 0) << listener.Stderr();

  const std::string body = R"({"type":"subscription.created","data":{"id":"csub_1"}})";
  const std::int64_t now = WallClockSeconds();
  auto accepted = Deliver(port, "/webhooks/recur", "msg_good", now,
                          SignWebhook(*secret, "msg_good", now, body), body);
  ASSERT_TRUE(accepted) << httplib::to_string(accepted.error());
  EXPECT_EQ(accepted->status, 204) << accepted->body;
  EXPECT_TRUE(listener.WaitForStdout(" msg_good subscription.created verified\n"))
      << listener.Stdout();

  // The signature of the original body over a changed body.
  const std::string tampered = R"({"type":"subscription.created","data":{"id":"csub_2"}})";
  auto rejected =
      Deliver(port, "/", "msg_bad", now, SignWebhook(*secret, "msg_bad", now, body), tampered);
  ASSERT_TRUE(rejected) << httplib::to_string(rejected.error());
  EXPECT_EQ(rejected->status, 401);
  const nlohmann::json error = nlohmann::json::parse(rejected->body, nullptr, false);
  EXPECT_EQ(error["error"]["code"], "invalid_signature") << rejected->body;
  EXPECT_TRUE(listener.WaitForStdout(" msg_bad subscription.created REJECTED: "))
      << listener.Stdout();

  // A correct signature from a stale clock.
  auto stale = Deliver(port, "/", "msg_old", now - 600,
                       SignWebhook(*secret, "msg_old", now - 600, body), body);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 401);
  EXPECT_TRUE(listener.WaitForStdout(" msg_old subscription.created REJECTED: "))
      << listener.Stdout();

  listener.Signal(SIGTERM);
  EXPECT_EQ(listener.WaitForExit(10s), 0) << listener.Stderr();
}

}  // namespace
}  // namespace recur::testing
