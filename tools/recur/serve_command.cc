// recur serve: the composition root of the server. Wires the system clock, random ids, the
// store (SQLite or PostgreSQL, chosen in serve_store.h), the catalog and the HTTP API together,
// with its readiness (/readyz) and its metrics (/metrics, and on --metrics-addr a server of
// their own); SIGHUP reloads the plan files, SIGTERM/SIGINT stop the server cleanly: no new
// connections, idle ones closed at once, requests and webhook attempts in flight given until
// --shutdown-timeout to finish (shutdown_deadline.h), then exit 0. A database served by another
// process, a PostgreSQL server it cannot reach, or an address it cannot listen on, exits 2 with a
// message naming it.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>

#include "base/clock.h"
#include "base/host_port.h"
#include "base/ids.h"
#include "base/log.h"
#include "base/process_metrics.h"
#include "gateways/measured_gateway.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "gateways/stripe/stripe_gateway.h"
#include "http/billing_api.h"
#include "http/http_server.h"
#include "http/recovered_answers.h"
#include "http/secret_key.h"
#include "services/catalog/catalog_follower.h"
#include "services/catalog/catalog_service.h"
#include "services/health/readiness.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/test_clocks.h"
#include "services/webhooks/dispatcher.h"
#include "services/webhooks/endpoints.h"
#include "store/cached/caching_account_store.h"
#include "store/cached/caching_test_clock_store.h"
#include "store/observed_account_store.h"
#include "store/stored_versions.h"
#include "tools/recur/commands.h"
#include "tools/recur/config_file.h"
#include "tools/recur/flags.h"
#include "tools/recur/installation.h"
#include "tools/recur/killed_after_charge_gateway.h"
#include "tools/recur/serve_settings.h"
#include "tools/recur/serve_store.h"
#include "tools/recur/serve_usage.h"
#include "tools/recur/shutdown_deadline.h"

namespace recur {
namespace {

constexpr std::size_t kCachedAccounts = 100000;
constexpr std::size_t kCachedTestClocks = 10000;  // about 150 bytes each
// Sharing the database: how often, about, the catalog is checked for another node's reload.
constexpr std::chrono::milliseconds kCatalogFollowPeriod{1000};
// Past --shutdown-timeout: the time to record the attempts that finished, give back those cut
// and close the database before the process is ended regardless.
constexpr std::chrono::milliseconds kShutdownGrace{1000};

int Usage(const std::string& problem) {
  std::fprintf(stderr, "recur serve: %s\n%s", problem.c_str(), ServeUsage().c_str());
  return 2;
}

int Fail(const Error& error, int exit_code = 1) {
  std::fprintf(stderr, "recur serve: %s\n", error.message.c_str());
  return exit_code;
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

// Signals are taken by sigwait, never by asynchronous handlers: they are blocked before any
// thread starts, so that every thread inherits the mask.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Loads the plan files into `catalog`; a refused catalog prints its problems and fails.
Result<ReloadOutcome> LoadCatalog(CatalogService& catalog, const std::string& plans_path) {
  auto loaded = catalog.Reload();
  if (!loaded) return std::unexpected(loaded.error());
  if (!loaded->ok()) {
    std::fputs(FormatProblems(loaded->problems).c_str(), stderr);
    return MakeError(ErrorKind::kFailedPrecondition, "catalog_invalid",
                     "the plan catalog at " + plans_path + " is invalid; not starting");
  }
  return loaded;
}

// The hash of the secret key in force: RECUR_SECRET_KEY, or the stored one, or a new one,
// shown once.
Result<std::string> SetUpSecretKeyHash(SettingsStore& settings) {
  const char* configured = std::getenv("RECUR_SECRET_KEY");
  auto secret = SetUpSecretKey(
      configured ? std::optional<std::string_view>(configured) : std::nullopt, settings);
  if (!secret) return std::unexpected(secret.error());
  if (secret->generated) PrintGeneratedKey(*secret->generated);
  return secret->hash;
}

// The engine's running parts over the store, the catalog and the gateway, in the order they are
// made (and unmade in reverse).
// `shared` is the one place that decides how the node's caches stay fresh: null where this
// process is the database's only writer (SQLite: its caches are exact, answered unchecked);
// the database's StoredVersions where other nodes write it too (PostgreSQL): accounts and
// entitlements are checked against the payer's stored version before they are answered, test
// clocks are read from the database every time (checking one costs the read itself), the
// catalog is followed before each change and by a thread (docs/postgresql.md), and the
// scheduler shares the work of test clocks other nodes advance.
struct Engine {
  Engine(Store& store, CatalogService& catalog, PaymentGateway& gateway,
         const ServeSettings& settings, const std::string& instance_id,
         const std::string& gateway_account_id, const Clock& clock, IdGenerator& ids,
         StoredVersions* shared = nullptr)
      // Reads of accounts (the pricing table above all) come from memory while the payer is
      // unchanged: about 1.3 KiB per payer held (13 MB for 10,000 payers).
      : accounts(store, kCachedAccounts, shared),
        // A stored event may have made deliveries: the dispatcher reads them at once rather
        // than at its next poll.
        observed_accounts(
            accounts,
            [this](const Account*, const Account&, const std::vector<StoredEvent>& events) {
              if (!events.empty()) dispatcher.Nudge();
            }),
        // Ids of rows other than payers increase in the order they are made, so their indexes
        // grow at their end and a commit rewrites their last pages instead of pages spread
        // across them.
        row_ids(clock),
        // Every change of a payer on a test clock, and every pricing table of one, reads the
        // clock.
        cached_test_clocks(store, kCachedTestClocks),
        test_clock_store(shared == nullptr ? static_cast<TestClockStore&>(cached_test_clocks)
                                           : store),
        billing(observed_accounts, test_clock_store, catalog, gateway, clock, ids, row_ids,
                settings.lifecycle, instance_id),
        scheduler(billing, observed_accounts, clock, SchedulerOptions{}),
        test_clocks(test_clock_store, scheduler, ids, clock),
        webhook_endpoints(store, ids, clock, EndpointOptions(settings)),
        dispatcher(store, store, clock, settings.dispatcher) {
    billing.NameGateway(settings.gateway.stripe ? "stripe" : "sandbox", gateway_account_id);
    if (shared != nullptr) {
      billing.CheckReadsAgainst(*shared);
      catalog.CheckAgainst(*shared);
      catalog_follower.emplace(catalog, clock, kCatalogFollowPeriod);
      scheduler.ShareAdvances(test_clock_store);
    }
  }

  static WebhookEndpointOptions EndpointOptions(const ServeSettings& settings) {
    WebhookEndpointOptions options;
    options.allow = settings.dispatcher.allow;
    options.allow_entry_name = kAllowFlag;
    return options;
  }

  // Before serving: test clocks whose advance was abandoned are readied and the billing service
  // started.
  Status Ready() {
    if (auto readied = test_clock_store.ReadyAdvancingTestClocks(); !readied) return readied;
    return billing.Start();
  }

  CachingAccountStore accounts;
  ObservedAccountStore observed_accounts;
  IncreasingKsuidGenerator row_ids;
  CachingTestClockStore cached_test_clocks;
  TestClockStore& test_clock_store;
  BillingService billing;
  Scheduler scheduler;
  TestClocks test_clocks;
  WebhookEndpoints webhook_endpoints;
  Dispatcher dispatcher;
  std::optional<CatalogFollower> catalog_follower;  // sharing the database only
};

// Waits for SIGTERM or SIGINT, reloading the catalog on each SIGHUP; returns the stop signal.
int WaitForStopSignal(const sigset_t& signals, CatalogService& catalog, const Clock& clock) {
  while (true) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal != SIGHUP) return signal;
    ReloadOnSignal(catalog, clock);
  }
}

// Serves until a stop signal (or until the server ends on its own), running the scheduler and
// the dispatcher meanwhile. On PostgreSQL the `stopped` line counts the store's round trips.
int Serve(HttpServer& server, HttpServer* metrics_server, Engine& engine, CatalogService& catalog,
          const ServeSettings& settings, const ServeStore& database, const ReloadOutcome& loaded,
          const sigset_t& signals, const Clock& clock) {
  auto port = server.Bind();
  if (!port) return Fail(port.error(), 2);
  std::optional<int> metrics_port;
  if (metrics_server != nullptr) {
    auto bound = metrics_server->Bind();
    if (!bound) return Fail(AboutFlag("metrics-addr", bound.error()), 2);
    metrics_port = *bound;
  }
  std::atomic<bool> stopping = false;
  std::thread serving([&] {
    server.Run();
    if (!stopping) ::kill(::getpid(), SIGTERM);  // the server ended on its own: shut down
  });
  std::thread serving_metrics;
  if (metrics_server != nullptr) {
    serving_metrics = std::thread([&] {
      metrics_server->Run();
      if (!stopping) ::kill(::getpid(), SIGTERM);
    });
    metrics_server->WaitUntilRunning();
  }
  server.WaitUntilRunning();  // from here on, a signal stops a running server
  engine.scheduler.Start();   // catches up on work that fell due while the server was down
  engine.dispatcher.Start();  // sends what is pending, including what a crash left
  if (engine.catalog_follower) engine.catalog_follower->Start();
  nlohmann::json trusted_proxies = nlohmann::json::array();
  for (const Cidr& range : settings.trusted_proxies) trusted_proxies.push_back(FormatCidr(range));
  nlohmann::json listening = {
      {"addr", HostPort(settings.host, *port)}, {"db", database.name},
      {"plans", settings.plans_path},           {"plan_count", catalog.Current()->plans().size()},
      {"trusted_proxies", trusted_proxies},     {"changes", ReloadOutcomeJson(loaded)["changes"]}};
  if (metrics_port) {
    listening["metrics_addr"] = HostPort(settings.metrics_address->first, *metrics_port);
  }
  Log(clock.Now(), "info", "listening", listening);
  const int signal = WaitForStopSignal(signals, catalog, clock);
  Log(clock.Now(), "info", "shutting_down",
      {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"},
       {"timeout_ms", settings.shutdown_timeout.count()}});
  stopping = true;
  // Requests and webhook attempts have until `deadline`; attempts still waiting for their answer
  // are then cut and given back. The process itself ends by the deadline and a grace to record
  // and give back what was cut, or is ended there.
  const auto deadline = std::chrono::steady_clock::now() + settings.shutdown_timeout;
  const ShutdownDeadline bound(deadline + kShutdownGrace, clock);
  std::thread stopping_dispatcher([&] { engine.dispatcher.Stop(deadline); });
  server.Stop();
  serving.join();
  if (metrics_server != nullptr) {
    metrics_server->Stop();
    serving_metrics.join();
  }
  engine.scheduler.Stop();
  stopping_dispatcher.join();
  if (engine.catalog_follower) engine.catalog_follower->Stop();
  nlohmann::json stopped = nlohmann::json::object();
  if (database.round_trips) stopped["round_trips"] = database.round_trips();
  Log(clock.Now(), "info", "stopped", stopped);
  return 0;
}

// Idempotency-Key handling (http/idempotent_request.h) under an id new to this run of the
// server (the store's node id where nodes share the database, so that a dead node's claims end
// with its other leases), each claim leased for `claim_lease` (a shared database's), and the
// expired keys purged now. RECUR_TEST_KILL_BEFORE_IDEMPOTENT_ANSWER is for tests only: a keyed
// request whose key starts with its value kills the server between its change and its answer.
Status SetUpIdempotency(HttpServer& server, IdempotencyStore& keys, const std::string& node_id,
                        const ApiServices& api, std::chrono::milliseconds claim_lease,
                        IdGenerator& ids, const Clock& clock) {
  IdempotencyOptions options;
  options.store = &keys;
  options.claim_lease = claim_lease;
  options.instance_id = node_id.empty() ? ids.NewId("run") : node_id;
  options.recover = [&api](std::string_view route, const ApiRequest& request,
                           std::string_view made) {
    return RecoveredAnswer(api, route, request, made);
  };
  if (const char* prefix = std::getenv("RECUR_TEST_KILL_BEFORE_IDEMPOTENT_ANSWER")) {
    options.kill_before_answer_prefix = prefix;
  }
  server.SetIdempotency(std::move(options));
  auto purged = server.PurgeExpiredIdempotencyKeys();
  if (!purged) return std::unexpected(purged.error());
  if (*purged > 0) Log(clock.Now(), "info", "idempotency_keys_purged", {{"count", *purged}});
  return Ok();
}

}  // namespace

int RunServe(std::span<const std::string> args) {
  if (AsksForHelp(args)) {
    std::fputs(ServeUsage().c_str(), stdout);
    return 0;
  }
  auto flags = ParseFlags(args, kServeFlags, kRepeatableServeFlags);
  if (!flags) return Usage(flags.error().message);
  if (!flags->positional.empty()) return Usage("unexpected argument " + flags->positional[0]);
  if (const std::string config = FlagOrEnvironment(*flags, "config", "RECUR_CONFIG", "");
      !config.empty()) {
    // Every flag but --config itself may be set in the file.
    std::vector<std::string_view> keys;
    std::copy_if(kServeFlags.begin(), kServeFlags.end(), std::back_inserter(keys),
                 [](std::string_view flag) { return flag != "config"; });
    if (Status read = ReadConfigFile(config, keys, kRepeatableServeFlags, *flags); !read) {
      std::fprintf(stderr, "recur serve: %s\n", read.error().message.c_str());
      return 2;
    }
  }
  auto settings = ReadServeSettings(*flags);
  if (!settings) {
    std::fprintf(stderr, "recur serve: %s\n", settings.error().message.c_str());
    return 2;
  }
  SetLogLevel(settings->log_level);
  const sigset_t signals = BlockStopSignals();

  SystemClock clock;
  KsuidGenerator ids(clock);
  auto opened = OpenServeStore(settings->database, ids, clock);
  if (!opened) {
    const std::string& code = opened.error().code;
    return Fail(opened.error(),
                code == "database_in_use" || code == "database_unreachable" ? 2 : 1);
  }
  Store& store = *opened->store;
  CatalogService catalog(settings->plans_path, store, clock);
  auto loaded = LoadCatalog(catalog, settings->plans_path);
  if (!loaded) return Fail(loaded.error());
  auto secret_hash = SetUpSecretKeyHash(store);
  if (!secret_hash) return Fail(secret_hash.error());
  auto installation = LoadInstallation(store, ids);
  if (!installation) return Fail(installation.error());
  SandboxGateway sandbox(*opened->sandbox_ledger);
  std::unique_ptr<StripeGateway> stripe;
  std::string stripe_account;  // the payee of every charge; "" when it could not be read
  if (settings->gateway.stripe) {
    stripe = std::make_unique<StripeGateway>(
        StripeClientOptions{.secret_key = settings->gateway.stripe_secret_key,
                            .api_base = settings->gateway.stripe_api_base},
        StripeWebhookOptions{.signing_secret = settings->gateway.stripe_webhook_secret,
                             .clock = &clock});
    // Which mode and where, never the key.
    Log(clock.Now(), "info", "payment_gateway",
        {{"gateway", "stripe"},
         {"mode", settings->gateway.stripe_live ? "live" : "test"},
         {"api_base", settings->gateway.stripe_api_base},
         {"webhooks",
          settings->gateway.stripe_webhook_secret.empty() ? "refused: no secret" : "verified"}});
    // Read once, in one try of at most 5 s so that a Stripe out of reach holds up the start
    // no longer: events name it as the payee until the next start. Unread, they name none ("")
    // and the server serves all the same.
    StripeClient account_reader({.secret_key = settings->gateway.stripe_secret_key,
                                 .api_base = settings->gateway.stripe_api_base,
                                 .retries = 0,
                                 .timeout = std::chrono::seconds(5)});
    if (auto account = ReadStripeAccountId(account_reader)) {
      stripe_account = *account;
    } else {
      Log(clock.Now(), "warning", "stripe_account_unread", {{"error", account.error().message}});
    }
  } else {
    Log(clock.Now(), "info", "payment_gateway", {{"gateway", "sandbox"}, {"mode", "test"}});
  }
  // Charges are counted and timed for /metrics on their way to the gateway.
  MeasuredGateway measured(stripe ? static_cast<PaymentGateway&>(*stripe) : sandbox);
  PaymentGateway* gateway = &measured;
  // For tests only: the process dies between a charge and the commit of its answer.
  std::unique_ptr<KilledAfterChargeGateway> killed_after_charge;
  if (std::getenv("RECUR_TEST_KILL_AFTER_CHARGE") != nullptr) {
    killed_after_charge = std::make_unique<KilledAfterChargeGateway>(*gateway);
    gateway = killed_after_charge.get();
  }
  Engine engine(store, catalog, *gateway, *settings, installation->instance_id, stripe_account,
                clock, ids, opened->shared);
  if (settings->payment_attempts) engine.billing.LimitPaymentAttempts(*settings->payment_attempts);
  if (auto ready = engine.Ready(); !ready) return Fail(ready.error());

  HttpServerOptions options;
  options.host = settings->host;
  options.port = settings->port;
  options.trusted_proxies = settings->trusted_proxies;
  options.allowed_origins = settings->allowed_origins;
  options.max_pending_writes = settings->max_pending_writes;
  // For the benchmark of what counting requests costs (docs/performance.md): serve without it.
  if (std::getenv("RECUR_BENCH_NO_HTTP_METRICS") != nullptr) options.metrics = false;
  // Tests of the deadlines shorten them, so that they take a second rather than thirty: the
  // head's and the body's to this many milliseconds, the idle timeout to one second.
  if (const char* deadline = std::getenv("RECUR_TEST_HTTP_DEADLINE_MS")) {
    options.header_deadline = options.body_deadline =
        std::chrono::milliseconds(std::atoi(deadline));
    options.idle_timeout = std::chrono::seconds(1);
  }
  HttpServer server(options, clock, [hash = *secret_hash](std::string_view presented) {
    return SecretKeyMatches(presented, hash);
  });
  server.SetClientLimits(settings->client_limits);
  RenderedCatalogs rendered_catalogs(catalog);
  PayerSessions sessions(store, store, clock);
  ConsoleSessions console_sessions(store, clock, settings->console_session_ttl,
                                   [hash = *secret_hash](std::string_view presented) {
                                     return SecretKeyMatches(presented, hash);
                                   });
  OverviewReport overview(store, engine.webhook_endpoints, engine.test_clocks, clock);
  Readiness readiness(opened->health, engine.scheduler, engine.dispatcher, clock);
  // One scrape: what each part counts, then the process's own figures.
  auto metrics = [&server, &engine, &measured, commits = opened->commit_latency] {
    MetricsText text;
    server.WriteMetrics(text);
    engine.scheduler.WriteMetrics(text);
    engine.dispatcher.WriteMetrics(text);
    measured.WriteMetrics(text);
    if (commits != nullptr) {
      text.Family("recur_database_commit_duration_seconds", "histogram",
                  "Time the database took to commit a transaction of changes");
      text.Histogram("recur_database_commit_duration_seconds", {}, *commits);
    }
    WriteProcessMetrics(text);
    return text.Text();
  };
  const PublicGatewaySettings public_gateway{settings->gateway.stripe ? "stripe" : "sandbox",
                                             settings->gateway.stripe_publishable_key};
  const ApiServices api{engine.billing,
                        catalog,
                        rendered_catalogs,
                        engine.test_clocks,
                        engine.webhook_endpoints,
                        store,
                        installation->signing_key,
                        clock,
                        {"recur:" + installation->instance_id},
                        sessions,
                        overview,
                        &readiness,
                        metrics,
                        &store,
                        public_gateway,
                        std::getenv("RECUR_TEST_KILL_BEFORE_GATEWAY_EVENT_ANSWER") != nullptr,
                        settings->merchant_name,
                        &console_sessions};
  AddApiRoutes(server, api);
  if (auto keys = SetUpIdempotency(server, store, opened->node_id, api,
                                   settings->database.idempotency_claim_lease(), ids, clock);
      !keys)
    return Fail(keys.error());
  // --metrics-addr: /metrics alone, without the key, and not counted in the metrics it serves.
  std::unique_ptr<HttpServer> metrics_server;
  if (settings->metrics_address) {
    HttpServerOptions metrics_options;
    std::tie(metrics_options.host, metrics_options.port) = *settings->metrics_address;
    metrics_options.access_log = false;
    metrics_options.metrics = false;
    metrics_options.worker_threads = 1;
    metrics_options.polling_threads = 1;
    metrics_server = std::make_unique<HttpServer>(metrics_options, clock,
                                                  [](std::string_view) { return false; });
    metrics_server->Route("GET", "/metrics", Access::kPublic,
                          [&api](const ApiRequest& request) { return GetMetrics(api, request); });
  }
  return Serve(server, metrics_server.get(), engine, catalog, *settings, *opened, *loaded, signals,
               clock);
}

}  // namespace recur
