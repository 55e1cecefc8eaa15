// What `recur serve` is asked to do, read from its flags and the environment: which database (a
// SQLite file, or PostgreSQL with its pool size, statement timeout and the nodes' leases), the
// payment gateway, the plan files and the listening address are, the lifecycle options, how
// webhooks are delivered, which reverse proxies are trusted, which web origins may call from a
// browser, the abuse limits, and how long a console sign-in lasts. The message of a
// refused setting names the flag that set it, except for an entry of the webhook allow-list, whose
// message quotes the entry.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/log.h"
#include "base/rate.h"
#include "domain/subscriptions/lifecycle.h"
#include "domain/webhooks/url_policy.h"
#include "http/client_limits.h"
#include "services/webhooks/dispatcher.h"
#include "tools/recur/flags.h"

namespace recur {

inline constexpr std::array<std::string_view, 24> kServeFlags = {"db",
                                                                 "db-pool",
                                                                 "db-statement-timeout",
                                                                 "lease",
                                                                 "plans",
                                                                 "addr",
                                                                 "dunning-retries",
                                                                 "past-due-access",
                                                                 "webhook-retry-schedule",
                                                                 "webhook-disable-after",
                                                                 "webhook-ca-file",
                                                                 "limit-failed-auth",
                                                                 "limit-public",
                                                                 "limit-payment-attempts",
                                                                 "limit-pending-writes",
                                                                 "gateway",
                                                                 "stripe-api-base",
                                                                 "stripe-publishable-key",
                                                                 "merchant-name",
                                                                 "log-level",
                                                                 "metrics-addr",
                                                                 "shutdown-timeout",
                                                                 "console-session-ttl",
                                                                 "config"};

inline constexpr std::array<std::string_view, 3> kRepeatableServeFlags = {
    "webhook-allow-cidr", "trusted-proxy", "allowed-origin"};

// How an operator of recur serve adds an entry to the webhook address allow-list; refusals of a
// webhook address (over HTTP, and in the attempt log) name it.
inline constexpr std::string_view kAllowFlag = "--webhook-allow-cidr";

// Where the store lives: --db / RECUR_DB names a SQLite file, or a PostgreSQL database by a
// postgresql:// or postgres:// URI or libpq's "key=value" words (store/postgres/pg_conninfo.h).
struct DatabaseSettings {
  std::string db;  // as given; for PostgreSQL it may hold a password: never print it
  bool postgres = false;
  // PostgreSQL only: --db-pool / RECUR_DB_POOL connections at most, and
  // --db-statement-timeout / RECUR_DB_STATEMENT_TIMEOUT for each statement (0: none).
  int pool_size = 8;
  std::chrono::milliseconds statement_timeout{10000};
  // --lease / RECUR_LEASE: how long what a node takes stays its own while it does not renew
  // it (docs/postgresql.md): due work and webhook deliveries for the lease, an idempotency
  // key's claim and a test clock's advance for half of it (renewed every third of that while
  // they run). What a paused node held waits this long before another node takes it over; a
  // dead node's ends at once.
  std::chrono::milliseconds lease{60000};
  std::chrono::milliseconds idempotency_claim_lease() const { return lease / 2; }
};

// Who moves the money: --gateway / RECUR_GATEWAY, "sandbox" (the default: no money moves) or
// "stripe". For Stripe, the secret key comes from STRIPE_SECRET_KEY only (a flag would show in
// the process list), the API from --stripe-api-base / RECUR_STRIPE_API_BASE, and the publishable
// key the browser components hand to Stripe.js from --stripe-publishable-key /
// RECUR_STRIPE_PUBLISHABLE_KEY (public: a flag may show it).
struct GatewaySettings {
  bool stripe = false;
  std::string stripe_secret_key;  // never print it
  bool stripe_live = false;       // an sk_live_ key, or a restricted rk_live_ one
  std::string stripe_api_base = "https://api.stripe.com";
  // pk_test_... or pk_live_..., of the secret key's mode; empty: none given (a page then sets
  // stripe-key on its checkout itself).
  std::string stripe_publishable_key;
  // RECUR_STRIPE_WEBHOOK_SECRET (environment only): the signing secret of the Stripe webhook
  // endpoint that points at Recur; empty: Stripe's events are refused. Never print it.
  std::string stripe_webhook_secret;
};

// What receipts call the business when no --merchant-name is given.
inline constexpr std::string_view kDefaultMerchantName = "Recur";

struct ServeSettings {
  DatabaseSettings database;  // --db, --db-pool, --db-statement-timeout, --lease
  std::string plans_path;     // --plans, RECUR_PLANS
  std::string host;           // --addr, RECUR_ADDR
  int port = 0;
  LogLevel log_level = LogLevel::kInfo;  // --log-level, RECUR_LOG_LEVEL
  // --metrics-addr, RECUR_METRICS_ADDR: where /metrics is also served without the key (a
  // port alone is on 127.0.0.1); none: only on --addr, behind the key.
  std::optional<std::pair<std::string, int>> metrics_address;
  // --shutdown-timeout, RECUR_SHUTDOWN_TIMEOUT: after SIGTERM or SIGINT, how long requests and
  // webhook attempts in flight have to finish before they are cut and the process exits.
  std::chrono::milliseconds shutdown_timeout{10'000};
  LifecycleOptions lifecycle;  // --dunning-retries, --past-due-access
  // --webhook-*; its `allow` (--webhook-allow-cidr, RECUR_WEBHOOK_ALLOW_CIDRS) is the allow-list
  // of webhook endpoints' URLs too; its `lease` is the database's.
  DispatcherOptions dispatcher;
  // --trusted-proxy, RECUR_TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For names the
  // client (http/client_address.h).
  std::vector<Cidr> trusted_proxies;
  // --allowed-origin, RECUR_ALLOWED_ORIGINS: the web origins whose pages may call the API from a
  // browser with a payer session (http/cors.h); none: no CORS headers.
  std::vector<std::string> allowed_origins;
  // Abuse limits (docs/operating.md): --limit-failed-auth and --limit-public per client address,
  // --limit-payment-attempts per payer (none: no limit), --limit-pending-writes (0: no bound).
  ClientLimitOptions client_limits;
  std::optional<Rate> payment_attempts;
  std::size_t max_pending_writes = 0;
  // --gateway, --stripe-api-base, --stripe-publishable-key, STRIPE_SECRET_KEY
  GatewaySettings gateway;
  // --merchant-name, RECUR_MERCHANT_NAME: the business named at the top of every receipt
  // (1 to 200 characters, no control characters).
  std::string merchant_name{kDefaultMerchantName};
  // --console-session-ttl, RECUR_CONSOLE_SESSION_TTL: how long a sign-in to the console lasts.
  std::chrono::seconds console_session_ttl{std::chrono::hours(8)};
};

// The limits' defaults: generous for a well-behaved client, tight for one guessing keys or
// trying cards; the public endpoints are not limited unless asked ("off").
inline constexpr std::string_view kDefaultFailedAuthLimit = "20/1m";
inline constexpr std::string_view kDefaultPublicLimit = "off";
inline constexpr std::string_view kDefaultPaymentAttemptLimit = "10/1h";
inline constexpr std::string_view kDefaultPendingWritesLimit = "1024";
inline constexpr std::string_view kDefaultDatabasePool = "8";
inline constexpr std::string_view kDefaultStatementTimeout = "10s";
inline constexpr std::string_view kDefaultLease = "60s";
inline constexpr std::string_view kDefaultShutdownTimeout = "10s";
inline constexpr std::string_view kDefaultConsoleSessionTtl = "8h";

// The settings from parsed flags; the first refused setting's error otherwise, checked in the
// order the fields above are listed.
Result<ServeSettings> ReadServeSettings(const ParsedFlags& flags);

}  // namespace recur
