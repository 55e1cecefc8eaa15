// recur webhooks sign | listen. `sign` is pure (the timestamp is given); `listen` is an edge
// tool and verifies deliveries against the wall clock.
#include "tools/recur/webhooks_command.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include <httplib.h>

#include "base/clock.h"
#include "base/host_port.h"
#include "base/log.h"
#include "domain/webhooks/received_delivery.h"
#include "domain/webhooks/signing.h"
#include "tools/recur/flags.h"

namespace recur {
namespace {

constexpr const char* kUsage =
    "usage: recur webhooks sign --secret whsec_... --id MSG_ID --timestamp UNIX_SECONDS < BODY\n"
    "       recur webhooks listen --port PORT --secret whsec_... [--host 127.0.0.1]\n"
    "                             [--tolerance SECONDS]\n";

constexpr std::array<std::string_view, 3> kSignFlags = {"secret", "id", "timestamp"};
constexpr std::array<std::string_view, 4> kListenFlags = {"port", "secret", "host", "tolerance"};
constexpr std::size_t kMaxDeliveryBytes = 16 * 1024 * 1024;

int UsageError(std::string_view command, const std::string& message) {
  std::fprintf(stderr, "recur webhooks %.*s: %s\n%s", static_cast<int>(command.size()),
               command.data(), message.c_str(), kUsage);
  return 2;
}

// Flags parsed, no positional arguments, every name of `required` present.
Result<ParsedFlags> ReadFlags(std::span<const std::string> args,
                              std::span<const std::string_view> known,
                              std::initializer_list<std::string_view> required) {
  auto flags = ParseFlags(args, known);
  if (!flags) return flags;
  if (!flags->positional.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "unexpected_argument",
                     "unexpected argument \"" + flags->positional[0] + "\"");
  }
  for (std::string_view name : required) {
    if (!flags->values.contains(name)) {
      return MakeError(ErrorKind::kInvalidArgument, "missing_flag",
                       "flag --" + std::string(name) + " is required", std::string(name));
    }
  }
  return flags;
}

std::optional<std::int64_t> ParseInteger(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> ReadAllStdin() {
  std::string body;
  char buffer[65536];
  while (true) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, stdin);
    body.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  if (std::ferror(stdin)) return std::nullopt;
  return body;
}

int RunSign(std::span<const std::string> args) {
  if (AsksForHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  auto flags = ReadFlags(args, kSignFlags, {"secret", "id", "timestamp"});
  if (!flags) return UsageError("sign", flags.error().message);
  auto secret = DecodeWebhookSecret(flags->Get("secret", ""));
  if (!secret) return UsageError("sign", "--secret: " + secret.error().message);
  const std::string timestamp_text = flags->Get("timestamp", "");
  const std::optional<std::int64_t> timestamp = ParseInteger(timestamp_text);
  if (!timestamp) {
    return UsageError("sign",
                      "--timestamp must be whole Unix seconds, got \"" + timestamp_text + "\"");
  }
  const std::optional<std::string> body = ReadAllStdin();
  if (!body) {
    std::fputs("recur webhooks sign: cannot read the body from stdin\n", stderr);
    return 1;
  }
  const std::string header = SignWebhook(*secret, flags->Get("id", ""), *timestamp, *body);
  std::printf("%s\n", header.c_str());
  return std::fflush(stdout) == 0 ? 0 : 1;
}

class Receiver {
 public:
  Receiver(WebhookSecret secret, std::chrono::seconds tolerance)
      : secret_(std::move(secret)), tolerance_(tolerance) {}

  void Handle(const httplib::Request& request, httplib::Response& response) {
    const Instant now = clock_.Now();
    const DeliveryHeaders headers =
        ReadDeliveryHeaders([&request](std::string_view name) -> std::optional<std::string> {
          const std::string key(name);
          if (!request.has_header(key)) return std::nullopt;
          return request.get_header_value(key);
        });
    const std::int64_t now_seconds =
        std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    const Status verified = VerifyDelivery(secret_, headers, request.body, now_seconds, tolerance_);
    std::string line = FormatRfc3339(now) + " " + PrintableWord(headers.id.value_or("")) + " " +
                       DeliveryEventType(request.body) + " ";
    if (verified) {
      line += "verified\n";
      response.status = 204;
    } else {
      line += "REJECTED: " + verified.error().message + "\n";
      response.status = 401;
      response.set_content(DeliveryRefusalJson(verified.error()), "application/json");
    }
    std::lock_guard lock(output_mutex_);
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
  }

 private:
  const SystemClock clock_;
  const WebhookSecret secret_;
  const std::chrono::seconds tolerance_;
  std::mutex output_mutex_;
};

int RunListen(std::span<const std::string> args) {
  if (AsksForHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  auto flags = ReadFlags(args, kListenFlags, {"port", "secret"});
  if (!flags) return UsageError("listen", flags.error().message);
  auto secret = DecodeWebhookSecret(flags->Get("secret", ""));
  if (!secret) return UsageError("listen", "--secret: " + secret.error().message);
  const std::string port_text = flags->Get("port", "");
  const std::optional<std::int64_t> port = ParseInteger(port_text);
  if (!port || *port < 0 || *port > 65535) {
    return UsageError("listen", "--port must be from 0 to 65535, got \"" + port_text + "\"");
  }
  const std::string tolerance_text = flags->Get("tolerance", "300");
  const std::optional<std::int64_t> tolerance = ParseInteger(tolerance_text);
  if (!tolerance || *tolerance < 0) {
    return UsageError(
        "listen", "--tolerance must be a whole number of seconds, got \"" + tolerance_text + "\"");
  }
  const std::string host = flags->Get("host", "127.0.0.1");

  // Signals are taken by sigwait below: block them before the server thread starts so that it
  // inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Receiver receiver(std::move(*secret), std::chrono::seconds(*tolerance));
  httplib::Server server;
  server.set_payload_max_length(kMaxDeliveryBytes);
  server.set_tcp_nodelay(true);  // answers are not held back by Nagle's algorithm
  server.Post(".*", [&receiver](const httplib::Request& request, httplib::Response& response) {
    receiver.Handle(request, response);
  });
  const int bound =
      *port == 0
          ? server.bind_to_any_port(host)
          : (server.bind_to_port(host, static_cast<int>(*port)) ? static_cast<int>(*port) : -1);
  if (bound < 0) {
    std::fprintf(stderr, "recur webhooks listen: cannot listen on %s port %d\n", host.c_str(),
                 static_cast<int>(*port));
    return 1;
  }

  std::atomic<bool> stopping = false;
  std::atomic<bool> returned = false;
  std::thread serving([&] {
    server.listen_after_bind();
    returned = true;
    if (!stopping) ::kill(::getpid(), SIGTERM);  // the server ended on its own: shut down
  });
  while (!server.is_running() && !returned) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::fprintf(stderr, "recur webhooks listen: listening on %s\n", HostPort(host, bound).c_str());

  while (true) {
    int signal = 0;
    if (sigwait(&signals, &signal) == 0) break;
  }
  stopping = true;
  server.stop();
  serving.join();
  std::fputs("recur webhooks listen: stopped\n", stderr);
  return 0;
}

}  // namespace

int RunWebhooks(std::span<const std::string> args) {
  if (!args.empty() && args[0] == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!args.empty() && args[0] == "sign") return RunSign(args.subspan(1));
  if (!args.empty() && args[0] == "listen") return RunListen(args.subspan(1));
  if (AsksForHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!args.empty()) {
    std::fprintf(stderr, "recur webhooks: unknown subcommand \"%s\"\n", args[0].c_str());
  }
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace recur
