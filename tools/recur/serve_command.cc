// recur serve: the composition root of the server. Wires the system clock, random ids, the
// SQLite store, the catalog and the HTTP API together; SIGHUP reloads the plan files,
// SIGTERM/SIGINT stop the server cleanly (requests in flight finish).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "base/clock.h"
#include "base/duration_text.h"
#include "base/host_port.h"
#include "base/ids.h"
#include "base/log.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "http/billing_api.h"
#include "http/http_server.h"
#include "http/secret_key.h"
#include "services/catalog/catalog_service.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/test_clocks.h"
#include "services/webhooks/dispatcher.h"
#include "services/webhooks/endpoints.h"
#include "store/cached/caching_account_store.h"
#include "store/cached/caching_test_clock_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tools/recur/commands.h"
#include "tools/recur/flags.h"
#include "tools/recur/installation.h"

namespace recur {
namespace {

constexpr std::size_t kCachedAccounts = 100000;
constexpr std::size_t kCachedTestClocks = 10000;  // about 150 bytes each

constexpr std::array<std::string_view, 8> kServeFlags = {"db",
                                                         "plans",
                                                         "addr",
                                                         "dunning-retries",
                                                         "past-due-access",
                                                         "webhook-retry-schedule",
                                                         "webhook-disable-after",
                                                         "webhook-ca-file"};

constexpr std::array<std::string_view, 1> kRepeatableServeFlags = {"webhook-allow-cidr"};

// How an operator of recur serve adds an entry to the webhook address allow-list; refusals of a
// webhook address (over HTTP, and in the attempt log) name it.
constexpr std::string_view kAllowFlag = "--webhook-allow-cidr";

// --webhook-allow-cidr (repeatable) and RECUR_WEBHOOK_ALLOW_CIDRS (comma-separated): address
// ranges webhook URLs may reach despite the SSRF policy, e.g. 127.0.0.0/8 for local receivers.
Result<std::vector<Cidr>> ReadWebhookAllowList(const ParsedFlags& flags) {
  std::vector<std::string> texts;
  if (auto it = flags.lists.find("webhook-allow-cidr"); it != flags.lists.end()) {
    texts = it->second;
  } else if (const char* variable = std::getenv("RECUR_WEBHOOK_ALLOW_CIDRS")) {
    std::string_view rest = variable;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      texts.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  std::vector<Cidr> allow;
  for (const std::string& text : texts) {
    auto cidr = ParseCidr(text);
    if (!cidr) return std::unexpected(cidr.error());
    allow.push_back(*cidr);
  }
  return allow;
}

// How webhooks are delivered: --webhook-retry-schedule / RECUR_WEBHOOK_RETRY_SCHEDULE,
// --webhook-disable-after / RECUR_WEBHOOK_DISABLE_AFTER (seconds), --webhook-ca-file /
// RECUR_WEBHOOK_CA_FILE, and the SSRF allow-list.
Result<DispatcherOptions> ReadDispatcherOptions(const ParsedFlags& flags, std::vector<Cidr> allow) {
  DispatcherOptions options;
  options.allow = std::move(allow);
  options.allow_entry_name = kAllowFlag;
  const std::string schedule =
      FlagOrEnvironment(flags, "webhook-retry-schedule", "RECUR_WEBHOOK_RETRY_SCHEDULE", "");
  if (!schedule.empty()) {
    auto parsed = ParseRetrySchedule(schedule);
    if (!parsed) return std::unexpected(AboutFlag("webhook-retry-schedule", parsed.error()));
    options.retry_schedule = *parsed;
  }
  const std::string disable_after =
      FlagOrEnvironment(flags, "webhook-disable-after", "RECUR_WEBHOOK_DISABLE_AFTER", "");
  if (!disable_after.empty()) {
    long long seconds = 0;
    auto [end, error] =
        std::from_chars(disable_after.data(), disable_after.data() + disable_after.size(), seconds);
    if (error != std::errc() || end != disable_after.data() + disable_after.size() || seconds < 1 ||
        seconds > 366LL * 86400) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_webhook_disable_after",
                       "--webhook-disable-after must be a number of seconds from 1 to 31622400 "
                       "(366 days), like 432000 for 5 days, got \"" +
                           disable_after + "\"",
                       "webhook-disable-after");
    }
    options.disable_after = std::chrono::seconds(seconds);
  }
  options.connections.extra_ca_file =
      FlagOrEnvironment(flags, "webhook-ca-file", "RECUR_WEBHOOK_CA_FILE", "");
  if (!options.connections.extra_ca_file.empty()) {
    if (auto readable = CheckCaFile(options.connections.extra_ca_file); !readable) {
      return std::unexpected(AboutFlag("webhook-ca-file", readable.error()));
    }
  }
  return options;
}

// "host:port" or "[v6-host]:port".
Result<std::pair<std::string, int>> ParseAddress(const std::string& address) {
  auto bad = [&] {
    return MakeError(
        ErrorKind::kInvalidArgument, "invalid_address",
        "--addr must be HOST:PORT with a port from 0 to 65535, got \"" + address + "\"", "addr");
  };
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad();
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = std::string_view(address).substr(colon + 1);
  int port = -1;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return bad();
  }
  return std::pair{host, port};
}

int Fail(const Error& error) {
  std::fprintf(stderr, "recur serve: %s\n", error.message.c_str());
  return 1;
}

void PrintGeneratedKey(const std::string& key) {
  std::printf(
      "recur: generated a secret API key. It is shown only this once; store it now:\n\n"
      "    %s\n\n"
      "Send it as \"Authorization: Bearer <key>\". Set RECUR_SECRET_KEY to use a key of your "
      "own.\n",
      key.c_str());
  std::fflush(stdout);
}

void ReloadOnSignal(CatalogService& catalog, const Clock& clock) {
  auto outcome = catalog.Reload();
  if (!outcome) {
    Log(clock.Now(), "error", "catalog_reload_failed",
        {{"source", "sighup"}, {"error", outcome.error().message}});
  } else if (!outcome->ok()) {
    nlohmann::json problems = nlohmann::json::array();
    for (const CatalogProblem& problem : outcome->problems) problems.push_back(problem.ToString());
    Log(clock.Now(), "warn", "catalog_reload_refused",
        {{"source", "sighup"}, {"problems", problems}});
  } else {
    Log(clock.Now(), "info", "catalog_reloaded",
        {{"source", "sighup"}, {"changes", ReloadOutcomeJson(*outcome)["changes"]}});
  }
}

}  // namespace

int RunServe(std::span<const std::string> args) {
  auto flags = ParseFlags(args, kServeFlags, kRepeatableServeFlags);
  if (!flags || !flags->positional.empty()) {
    std::fprintf(
        stderr,
        "recur serve: %s\nusage: recur serve [--db FILE] [--plans PATH] [--addr HOST:PORT] "
        "[--dunning-retries LIST] [--past-due-access keep|revoke] [--webhook-... (recur help)]\n",
        flags ? ("unexpected argument " + flags->positional[0]).c_str()
              : flags.error().message.c_str());
    return 2;
  }
  const std::string db_path = flags->Get("db", "recur.db");
  const std::string plans_path = flags->Get("plans", "plans");
  auto address = ParseAddress(flags->Get("addr", "127.0.0.1:8080"));
  if (!address) {
    std::fprintf(stderr, "recur serve: %s\n", address.error().message.c_str());
    return 2;
  }
  auto lifecycle_options = ReadLifecycleOptions(*flags);
  if (!lifecycle_options) {
    std::fprintf(stderr, "recur serve: %s\n", lifecycle_options.error().message.c_str());
    return 2;
  }
  auto webhook_allow = ReadWebhookAllowList(*flags);
  if (!webhook_allow) {
    std::fprintf(stderr, "recur serve: %s\n", webhook_allow.error().message.c_str());
    return 2;
  }
  auto dispatcher_options = ReadDispatcherOptions(*flags, *webhook_allow);
  if (!dispatcher_options) {
    std::fprintf(stderr, "recur serve: %s\n", dispatcher_options.error().message.c_str());
    return 2;
  }

  // Signals are taken by sigwait below, never by asynchronous handlers: block them before any
  // thread starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SystemClock clock;
  KsuidGenerator ids(clock);
  auto store = SqliteStore::Open(db_path, ids, clock.Now());
  if (!store) return Fail(store.error());

  CatalogService catalog(plans_path, **store, clock);
  auto loaded = catalog.Reload();
  if (!loaded) return Fail(loaded.error());
  if (!loaded->ok()) {
    std::fputs(FormatProblems(loaded->problems).c_str(), stderr);
    std::fprintf(stderr, "recur serve: the plan catalog at %s is invalid; not starting\n",
                 plans_path.c_str());
    return 1;
  }

  const char* configured_key = std::getenv("RECUR_SECRET_KEY");
  auto secret = SetUpSecretKey(
      configured_key ? std::optional<std::string_view>(configured_key) : std::nullopt, **store);
  if (!secret) return Fail(secret.error());
  if (secret->generated) PrintGeneratedKey(*secret->generated);

  auto installation = LoadInstallation(**store, ids);
  if (!installation) return Fail(installation.error());
  // The sandbox gateway keeps its charges on its side, as an external gateway would: in a file
  // of its own beside the database, whose writes never wait on the store's.
  auto gateway = SandboxGateway::Open(db_path + ".sandbox");
  if (!gateway) return Fail(gateway.error());
  // Reads of accounts (the pricing table above all) come from memory while the payer is
  // unchanged: about 1.3 KiB per payer held (13 MB for 10,000 payers).
  CachingAccountStore accounts(**store, kCachedAccounts);
  // Ids of rows other than payers increase in the order they are made, so their indexes grow
  // at their end and a commit rewrites their last pages instead of pages spread across them.
  IncreasingKsuidGenerator row_ids(clock);
  // Every change of a payer on a test clock, and every pricing table of one, reads the clock.
  CachingTestClockStore test_clock_store(**store, kCachedTestClocks);
  BillingService billing(accounts, test_clock_store, catalog, **gateway, clock, ids, row_ids,
                         *lifecycle_options, installation->instance_id);
  if (auto readied = test_clock_store.ReadyAdvancingTestClocks(); !readied) {
    return Fail(readied.error());
  }
  if (auto started = billing.Start(); !started) return Fail(started.error());
  Scheduler scheduler(billing, accounts, clock, SchedulerOptions{});
  TestClocks test_clocks(test_clock_store, scheduler, ids, clock);
  WebhookEndpointOptions endpoint_options;
  endpoint_options.allow = *webhook_allow;
  endpoint_options.allow_entry_name = kAllowFlag;
  WebhookEndpoints webhook_endpoints(**store, ids, clock, endpoint_options);
  Dispatcher dispatcher(**store, **store, clock, *dispatcher_options);

  HttpServerOptions options;
  options.host = address->first;
  options.port = address->second;
  HttpServer server(options, clock, [hash = secret->hash](std::string_view presented) {
    return SecretKeyMatches(presented, hash);
  });
  server.SetIdempotencyStore(store->get());
  RenderedCatalogs rendered_catalogs(catalog);
  const ApiServices api{billing,
                        catalog,
                        rendered_catalogs,
                        test_clocks,
                        webhook_endpoints,
                        **store,
                        installation->signing_key,
                        clock,
                        {"recur:" + installation->instance_id}};
  AddApiRoutes(server, api);

  auto port = server.Bind();
  if (!port) return Fail(port.error());
  std::atomic<bool> stopping = false;
  std::thread serving([&] {
    server.Run();
    if (!stopping) ::kill(::getpid(), SIGTERM);  // the server ended on its own: shut down
  });
  server.WaitUntilRunning();  // from here on, a signal stops a running server
  scheduler.Start();          // catches up on work that fell due while the server was down
  dispatcher.Start();         // sends what is pending, including what a crash left
  Log(clock.Now(), "info", "listening",
      {{"addr", HostPort(options.host, *port)},
       {"db", db_path},
       {"plans", plans_path},
       {"plan_count", catalog.Current()->plans().size()},
       {"changes", ReloadOutcomeJson(*loaded)["changes"]}});

  while (true) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      ReloadOnSignal(catalog, clock);
      continue;
    }
    Log(clock.Now(), "info", "shutting_down",
        {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
    stopping = true;
    server.Stop();
    break;
  }
  serving.join();
  scheduler.Stop();
  dispatcher.Stop();
  Log(clock.Now(), "info", "stopped");
  return 0;
}

}  // namespace recur
