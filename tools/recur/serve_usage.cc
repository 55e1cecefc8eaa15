#include "tools/recur/serve_usage.h"

#include "tools/recur/serve_settings.h"

namespace recur {
namespace {

// Defaults kept as constants in serve_settings.h are named from there, so that the help cannot
// drift from what is read.
constexpr ServeFlagHelp kTable[] = {
    {"config", "FILE", "RECUR_CONFIG", "",
     "a TOML file of these settings, each key named as its flag (db = \"recur.db\"); a flag\n"
     "or a variable wins over it (docs/operating.md)"},
    {"db", "FILE|POSTGRESQL", "RECUR_DB", "recur.db",
     "the database: a SQLite file, or PostgreSQL as a postgresql:// URI or libpq words\n"
     "(\"host=db1 dbname=recur\"; password from the URI, PGPASSWORD or ~/.pgpass)"},
    {"db-pool", "N", "RECUR_DB_POOL", kDefaultDatabasePool,
     "PostgreSQL only: connections at most (1 to 1000)"},
    {"db-statement-timeout", "DURATION|off", "RECUR_DB_STATEMENT_TIMEOUT", kDefaultStatementTimeout,
     "PostgreSQL only: the longest a statement may run (ms, s or m)"},
    {"lease", "DURATION", "RECUR_LEASE", kDefaultLease,
     "PostgreSQL only: how long a node's due work and deliveries stay its own unrenewed\n"
     "(1s to 1h; its idempotency claims half of it), docs/postgresql.md"},
    {"plans", "PATH", "RECUR_PLANS", "plans",
     "the plan catalog: a folder of *.json plan files, or one catalog file"},
    {"addr", "HOST:PORT", "RECUR_ADDR", "127.0.0.1:8080", "where the HTTP API listens"},
    {"metrics-addr", "[HOST:]PORT", "RECUR_METRICS_ADDR", "",
     "also serve GET /metrics here, without the key (a port alone: on 127.0.0.1); without\n"
     "it, /metrics is served on --addr behind the secret key"},
    {"shutdown-timeout", "DURATION", "RECUR_SHUTDOWN_TIMEOUT", kDefaultShutdownTimeout,
     "after SIGTERM or SIGINT, how long requests and webhook attempts in flight have to\n"
     "finish (1s to 10m, in ms, s or m); attempts still waiting are then cut and sent again\n"
     "after a restart"},
    {"console-session-ttl", "DURATION", "RECUR_CONSOLE_SESSION_TTL", kDefaultConsoleSessionTtl,
     "how long a sign-in to the console at /console lasts (1m to 168h, in ms, s, m or h)"},
    {"log-level", "LEVEL", "RECUR_LOG_LEVEL", "info",
     "the least severe log line written: debug, info, warn or error (warn and error\n"
     "leave out the access log)"},
    {"dunning-retries", "LIST", "RECUR_DUNNING_RETRIES", "1d,3d,5d,7d",
     "increasing delays after a failed renewal charge at which it is tried again"},
    {"past-due-access", "keep|revoke", "RECUR_PAST_DUE_ACCESS", "keep",
     "whether a past-due payer keeps its plan's features while its charge is retried"},
    {"webhook-allow-cidr", "CIDR", "RECUR_WEBHOOK_ALLOW_CIDRS", "",
     "repeatable (the variable comma-separated): address ranges webhook URLs may reach\n"
     "despite the refusal of private addresses, e.g. 127.0.0.0/8 for a local receiver"},
    {"webhook-retry-schedule", "SECONDS,...", "RECUR_WEBHOOK_RETRY_SCHEDULE",
     "0,5,300,1800,7200,18000,36000,36000", "when each attempt of a delivery is made"},
    {"webhook-disable-after", "SECONDS", "RECUR_WEBHOOK_DISABLE_AFTER", "432000",
     "an endpoint whose every attempt failed this long is disabled (432000: 5 days)"},
    {"webhook-ca-file", "PEM", "RECUR_WEBHOOK_CA_FILE", "",
     "certificates trusted for webhook endpoints besides the system's"},
    {"trusted-proxy", "CIDR", "RECUR_TRUSTED_PROXIES", "",
     "repeatable (the variable comma-separated): reverse proxies whose X-Forwarded-For\n"
     "names the client"},
    {"allowed-origin", "ORIGIN", "RECUR_ALLOWED_ORIGINS", "",
     "repeatable (the variable comma-separated): web origins whose pages may call the API\n"
     "from a browser with a payer session (CORS), e.g. https://app.example.com"},
    {"limit-failed-auth", "RATE|off", "RECUR_LIMIT_FAILED_AUTH", kDefaultFailedAuthLimit,
     "failed key checks per client address"},
    {"limit-public", "RATE|off", "RECUR_LIMIT_PUBLIC", kDefaultPublicLimit,
     "requests to the public routes per client address"},
    {"limit-payment-attempts", "RATE|off", "RECUR_LIMIT_PAYMENT_ATTEMPTS",
     kDefaultPaymentAttemptLimit, "payment attempts per payer"},
    {"limit-pending-writes", "N|off", "RECUR_LIMIT_PENDING_WRITES", kDefaultPendingWritesLimit,
     "writes waiting for the database at once; more are answered 503 overloaded"},
    {"gateway", "sandbox|stripe", "RECUR_GATEWAY", "sandbox",
     "who moves the money; stripe takes its key from STRIPE_SECRET_KEY, docs/stripe.md"},
    {"stripe-api-base", "URL", "RECUR_STRIPE_API_BASE", "https://api.stripe.com",
     "with --gateway stripe: where Stripe's API is"},
    {"stripe-publishable-key", "pk_...", "RECUR_STRIPE_PUBLISHABLE_KEY", "",
     "with --gateway stripe: the publishable key (pk_test_... or pk_live_..., the mode of\n"
     "STRIPE_SECRET_KEY) the pricing table gives the browser components for Stripe.js"},
    {"merchant-name", "NAME", "RECUR_MERCHANT_NAME", kDefaultMerchantName,
     "the business named at the top of every receipt (1 to 200 bytes, one line)"},
};

}  // namespace

std::span<const ServeFlagHelp> ServeFlagHelpTable() { return kTable; }

std::string ServeUsage() {
  std::string text =
      "usage: recur serve [FLAG VALUE]...\n"
      "\n"
      "Runs the HTTP API, the scheduler of due work and the webhook dispatcher until SIGTERM or\n"
      "SIGINT; SIGHUP reloads the plan files. Each flag may be given as --flag VALUE or\n"
      "--flag=VALUE, by its environment variable, or in the --config file; a flag wins over\n"
      "its variable, the variable over the file, and the file over the default. A RATE is\n"
      "COUNT/WINDOW, like 20/1m (docs/operating.md).\n"
      "\n"
      "flags (environment variable, default):\n";
  for (const ServeFlagHelp& flag : kTable) {
    text += "  --" + std::string(flag.flag) + " " + std::string(flag.argument) + "\n";
    text += "      " + std::string(flag.variable) + ", " +
            (flag.fallback.empty() ? std::string("none") : std::string(flag.fallback)) + "\n";
    std::string_view what = flag.what;
    while (!what.empty()) {
      const std::size_t end = what.find('\n');
      text += "      " + std::string(what.substr(0, end)) + "\n";
      if (end == std::string_view::npos) break;
      what.remove_prefix(end + 1);
    }
  }
  text +=
      "\n"
      "environment only:\n"
      "  RECUR_SECRET_KEY    the secret API key (sk_...); without it, serve generates one on\n"
      "                      first start, prints it once and stores only its hash\n"
      "  STRIPE_SECRET_KEY   with --gateway stripe: Stripe's secret key (never a flag, which\n"
      "                      would show in the process list)\n"
      "  RECUR_STRIPE_WEBHOOK_SECRET\n"
      "                      with --gateway stripe: the signing secret (whsec_...) of the\n"
      "                      Stripe webhook endpoint that points at /v1/gateways/stripe/webhook;\n"
      "                      without it Stripe's events are refused\n";
  return text;
}

}  // namespace recur
