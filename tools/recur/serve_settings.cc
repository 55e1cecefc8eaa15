#include "tools/recur/serve_settings.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <utility>

#include "http/client_address.h"
#include "http/cors.h"
#include "services/webhooks/connection_pool.h"
#include "store/postgres/pg_conninfo.h"

namespace recur {
namespace {

// The entries of repeatable flag `flag`, else those of environment variable `variable` (separated
// by commas, spaces around them ignored), else the configuration file's.
std::vector<std::string> ListEntries(const ParsedFlags& flags, std::string_view flag,
                                     const char* variable) {
  std::vector<std::string> texts;
  if (auto it = flags.lists.find(flag); it != flags.lists.end()) {
    texts = it->second;
  } else if (const char* value = std::getenv(variable)) {
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view entry = rest.substr(0, comma);
      while (entry.starts_with(' ')) entry.remove_prefix(1);
      while (entry.ends_with(' ')) entry.remove_suffix(1);
      texts.emplace_back(entry);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  } else if (auto in_file = flags.file_lists.find(flag); in_file != flags.file_lists.end()) {
    texts = in_file->second;
  }
  return texts;
}

// ListEntries, each read by `parse`.
Result<std::vector<Cidr>> ReadCidrList(const ParsedFlags& flags, std::string_view flag,
                                       const char* variable,
                                       Result<Cidr> (*parse)(std::string_view)) {
  std::vector<Cidr> ranges;
  for (const std::string& text : ListEntries(flags, flag, variable)) {
    auto cidr = parse(text);
    if (!cidr) return std::unexpected(cidr.error());
    ranges.push_back(*cidr);
  }
  return ranges;
}

// --webhook-allow-cidr (repeatable) and RECUR_WEBHOOK_ALLOW_CIDRS (comma-separated): address
// ranges webhook URLs may reach despite the SSRF policy, e.g. 127.0.0.0/8 for local receivers.
Result<std::vector<Cidr>> ReadWebhookAllowList(const ParsedFlags& flags) {
  return ReadCidrList(flags, "webhook-allow-cidr", "RECUR_WEBHOOK_ALLOW_CIDRS", &ParseCidr);
}

// --trusted-proxy (repeatable) and RECUR_TRUSTED_PROXIES (comma-separated): the reverse proxies,
// as addresses or ranges, whose X-Forwarded-For names the client.
Result<std::vector<Cidr>> ReadTrustedProxies(const ParsedFlags& flags) {
  auto proxies = ReadCidrList(flags, "trusted-proxy", "RECUR_TRUSTED_PROXIES", &ParseTrustedProxy);
  if (!proxies) return std::unexpected(AboutFlag("trusted-proxy", proxies.error()));
  return proxies;
}

// --allowed-origin (repeatable) and RECUR_ALLOWED_ORIGINS (comma-separated): the web origins whose
// pages may call the API from a browser (http/cors.h).
Result<std::vector<std::string>> ReadAllowedOrigins(const ParsedFlags& flags) {
  std::vector<std::string> origins;
  for (const std::string& text : ListEntries(flags, "allowed-origin", "RECUR_ALLOWED_ORIGINS")) {
    auto origin = ParseAllowedOrigin(text);
    if (!origin) return std::unexpected(AboutFlag("allowed-origin", origin.error()));
    if (std::find(origins.begin(), origins.end(), *origin) == origins.end()) {
      origins.push_back(std::move(*origin));
    }
  }
  return origins;
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

// A rate flag's value (--limit-...): COUNT/WINDOW as base/rate.h reads it, or "off" (none).
Result<std::optional<Rate>> ReadRateLimit(const ParsedFlags& flags, std::string_view flag,
                                          const char* variable, std::string_view fallback,
                                          std::string_view per) {
  const std::string text = FlagOrEnvironment(flags, flag, variable, std::string(fallback));
  if (text == "off") return std::optional<Rate>();
  if (auto rate = ParseRate(text)) return std::optional<Rate>(*rate);
  return MakeError(ErrorKind::kInvalidArgument, "invalid_limit",
                   "--" + std::string(flag) + " must be COUNT/WINDOW " + std::string(per) +
                       ", a count from 1 to " + std::to_string(kLargestRateCount) +
                       " and a window from 1s to 7d in s, m, h or d, like 20/1m, or off; got \"" +
                       text + "\"",
                   std::string(flag));
}

// The abuse limits: --limit-failed-auth / RECUR_LIMIT_FAILED_AUTH, --limit-public /
// RECUR_LIMIT_PUBLIC, --limit-payment-attempts / RECUR_LIMIT_PAYMENT_ATTEMPTS,
// --limit-pending-writes / RECUR_LIMIT_PENDING_WRITES.
Status ReadLimits(const ParsedFlags& flags, ServeSettings& settings) {
  auto failed_auth = ReadRateLimit(flags, "limit-failed-auth", "RECUR_LIMIT_FAILED_AUTH",
                                   kDefaultFailedAuthLimit, "(failed key checks per address)");
  if (!failed_auth) return std::unexpected(failed_auth.error());
  settings.client_limits.failed_auth = *failed_auth;
  auto public_requests = ReadRateLimit(flags, "limit-public", "RECUR_LIMIT_PUBLIC",
                                       kDefaultPublicLimit, "(public requests per address)");
  if (!public_requests) return std::unexpected(public_requests.error());
  settings.client_limits.public_requests = *public_requests;
  auto payment_attempts =
      ReadRateLimit(flags, "limit-payment-attempts", "RECUR_LIMIT_PAYMENT_ATTEMPTS",
                    kDefaultPaymentAttemptLimit, "(payment attempts per payer)");
  if (!payment_attempts) return std::unexpected(payment_attempts.error());
  settings.payment_attempts = *payment_attempts;
  const std::string pending =
      FlagOrEnvironment(flags, "limit-pending-writes", "RECUR_LIMIT_PENDING_WRITES",
                        std::string(kDefaultPendingWritesLimit));
  if (pending == "off") {
    settings.max_pending_writes = 0;
    return Ok();
  }
  std::size_t bound = 0;
  auto [end, error] = std::from_chars(pending.data(), pending.data() + pending.size(), bound);
  if (error != std::errc() || end != pending.data() + pending.size() || bound < 1 ||
      bound > 1'000'000 || pending.front() == '0') {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_limit",
                     "--limit-pending-writes must be a number of writes from 1 to 1000000, or "
                     "off; got \"" +
                         pending + "\"",
                     "limit-pending-writes");
  }
  settings.max_pending_writes = bound;
  return Ok();
}

// A duration written as a whole number of ms, s, m or h ("500ms", "10s", "1m", "8h") from `least`
// to `most`; none when `text` is not one.
std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text,
                                                       std::chrono::milliseconds least,
                                                       std::chrono::milliseconds most) {
  long long count = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  const std::string_view unit(end, text.data() + text.size() - end);
  const long long scale = unit == "ms"  ? 1
                          : unit == "s" ? 1000
                          : unit == "m" ? 60000
                          : unit == "h" ? 3600000
                                        : 0;
  if (error != std::errc() || scale == 0 || text.front() == '0' || count < 1 ||
      count > most.count() / scale || count * scale < least.count()) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(count * scale);
}

// A duration setting, --`flag` / `variable`, from `least` to `most` (written as `range`, e.g.
// "1s to 1h"); `off_means` is what "off" reads as, for settings that may be turned off.
struct DurationSetting {
  std::string_view flag;
  const char* variable;
  std::string_view fallback;
  std::chrono::milliseconds least;
  std::chrono::milliseconds most;
  std::string_view range;
  std::string_view example;
  std::optional<std::chrono::milliseconds> off_means = std::nullopt;
};

// The setting's duration, or an invalid_<flag> error naming its range and what was given.
Result<std::chrono::milliseconds> ReadDuration(const ParsedFlags& flags,
                                               const DurationSetting& setting) {
  const std::string text =
      FlagOrEnvironment(flags, setting.flag, setting.variable, std::string(setting.fallback));
  if (setting.off_means && text == "off") return *setting.off_means;
  if (auto duration = ParseDuration(text, setting.least, setting.most)) return *duration;
  std::string code = "invalid_" + std::string(setting.flag);
  std::replace(code.begin(), code.end(), '-', '_');
  return MakeError(ErrorKind::kInvalidArgument, code,
                   "--" + std::string(setting.flag) + " must be a duration from " +
                       std::string(setting.range) + " in ms, s or m, like " +
                       std::string(setting.example) + (setting.off_means ? ", or off" : "") +
                       "; got \"" + text + "\"",
                   std::string(setting.flag));
}

// --db-statement-timeout: at most an hour, or "off" (no timeout).
Result<std::chrono::milliseconds> ReadStatementTimeout(const ParsedFlags& flags) {
  return ReadDuration(
      flags, {"db-statement-timeout", "RECUR_DB_STATEMENT_TIMEOUT", kDefaultStatementTimeout,
              std::chrono::milliseconds(1), std::chrono::hours(1), "1ms to 1h", "10s",
              std::chrono::milliseconds(0)});
}

// --lease: from a second (a test's nodes) to an hour. Below a second a node would spend its
// time renewing; past an hour a dead node's work would wait longer than any operator would.
Result<std::chrono::milliseconds> ReadLease(const ParsedFlags& flags) {
  return ReadDuration(flags, {"lease", "RECUR_LEASE", kDefaultLease, std::chrono::seconds(1),
                              std::chrono::hours(1), "1s to 1h", "60s"});
}

// --shutdown-timeout: from a second to ten minutes. A supervisor kills a process that takes
// longer than its own stop timeout (systemd's is 90 s, Kubernetes' grace period 30 s), so the
// default stays well inside both.
Result<std::chrono::milliseconds> ReadShutdownTimeout(const ParsedFlags& flags) {
  return ReadDuration(flags,
                      {"shutdown-timeout", "RECUR_SHUTDOWN_TIMEOUT", kDefaultShutdownTimeout,
                       std::chrono::seconds(1), std::chrono::minutes(10), "1s to 10m", "10s"});
}

// --console-session-ttl: from a minute to a week, in whole seconds.
Result<std::chrono::seconds> ReadConsoleSessionTtl(const ParsedFlags& flags) {
  auto ttl = ReadDuration(
      flags, {"console-session-ttl", "RECUR_CONSOLE_SESSION_TTL", kDefaultConsoleSessionTtl,
              std::chrono::minutes(1), std::chrono::hours(168), "1m to 168h", "8h"});
  if (!ttl) return std::unexpected(ttl.error());
  if (*ttl % std::chrono::seconds(1) != std::chrono::milliseconds(0)) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_console_session_ttl",
                     "--console-session-ttl must be a whole number of seconds; got " +
                         std::to_string(ttl->count()) + "ms",
                     "console-session-ttl");
  }
  return std::chrono::duration_cast<std::chrono::seconds>(*ttl);
}

// --db / RECUR_DB and, for PostgreSQL, --db-pool / RECUR_DB_POOL, --db-statement-timeout /
// RECUR_DB_STATEMENT_TIMEOUT and --lease / RECUR_LEASE. The PostgreSQL-only settings are refused
// beside a SQLite file, where they would do nothing, however they were given.
Result<DatabaseSettings> ReadDatabaseSettings(const ParsedFlags& flags) {
  DatabaseSettings database;
  database.db = FlagOrEnvironment(flags, "db", "RECUR_DB", "recur.db");
  database.postgres = IsPostgresConninfo(database.db);
  if (!database.postgres) {
    // SQLite's names for a database without a file: the server's reader connections would each
    // see a database of their own, and its lock and the sandbox's records need a file.
    if (database.db.empty() || database.db == ":memory:") {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_db",
                       "--db must name a file or a PostgreSQL database; recur serve keeps its "
                       "data in one (got \"" +
                           database.db + "\")",
                       "db");
    }
    const std::pair<std::string_view, const char*> postgres_only[] = {
        {"db-pool", "RECUR_DB_POOL"},
        {"db-statement-timeout", "RECUR_DB_STATEMENT_TIMEOUT"},
        {"lease", "RECUR_LEASE"}};
    for (const auto& [flag, variable] : postgres_only) {
      if (auto where = WhereGiven(flags, flag, variable)) {
        return MakeError(ErrorKind::kInvalidArgument, "invalid_db",
                         *where + " is for a PostgreSQL database, and --db names a SQLite file",
                         std::string(flag));
      }
    }
    return database;
  }
  if (Status readable = CheckConninfo(database.db); !readable) {
    return std::unexpected(AboutFlag("db", readable.error()));
  }
  const std::string pool =
      FlagOrEnvironment(flags, "db-pool", "RECUR_DB_POOL", std::string(kDefaultDatabasePool));
  auto [end, error] = std::from_chars(pool.data(), pool.data() + pool.size(), database.pool_size);
  if (error != std::errc() || end != pool.data() + pool.size() || database.pool_size < 1 ||
      database.pool_size > 1000 || pool.front() == '0') {
    return MakeError(
        ErrorKind::kInvalidArgument, "invalid_db_pool",
        "--db-pool must be a number of connections from 1 to 1000; got \"" + pool + "\"",
        "db-pool");
  }
  auto timeout = ReadStatementTimeout(flags);
  if (!timeout) return std::unexpected(timeout.error());
  database.statement_timeout = *timeout;
  auto lease = ReadLease(flags);
  if (!lease) return std::unexpected(lease.error());
  database.lease = *lease;
  return database;
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

// True for 127.0.0.0/8, ::1 and localhost: where plain http may reach a fake Stripe.
bool LoopbackHost(std::string_view host) {
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

// --stripe-publishable-key / RECUR_STRIPE_PUBLISHABLE_KEY: empty when not given, else a
// publishable key of the secret key's mode (a test page must not hold a live key, nor the other
// way round: Stripe.js would fail on every card).
Result<std::string> ReadPublishableKey(const ParsedFlags& flags, bool live) {
  std::string key =
      FlagOrEnvironment(flags, "stripe-publishable-key", "RECUR_STRIPE_PUBLISHABLE_KEY", "");
  if (!WhereGiven(flags, "stripe-publishable-key", "RECUR_STRIPE_PUBLISHABLE_KEY")) return key;
  const bool test_key = key.starts_with("pk_test_") && key.size() > 8;
  const bool live_key = key.starts_with("pk_live_") && key.size() > 8;
  if (!test_key && !live_key) {
    return MakeError(
        ErrorKind::kInvalidArgument, "invalid_stripe_publishable_key",
        "--stripe-publishable-key must be a publishable key, pk_test_... or "
        "pk_live_... (the one the browser may see); the one given is neither (and is not "
        "quoted, in case it is a secret one)",
        "stripe-publishable-key");
  }
  if (live_key != live) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_stripe_publishable_key",
                     std::string("--stripe-publishable-key is a ") + (live_key ? "live" : "test") +
                         " key and STRIPE_SECRET_KEY a " + (live ? "live" : "test") +
                         " one: both must be of the same mode",
                     "stripe-publishable-key");
  }
  return key;
}

// --gateway / RECUR_GATEWAY and, for Stripe, STRIPE_SECRET_KEY and --stripe-api-base /
// RECUR_STRIPE_API_BASE (https, or http to a loopback address only).
Result<GatewaySettings> ReadGatewaySettings(const ParsedFlags& flags) {
  GatewaySettings gateway;
  const std::string name = FlagOrEnvironment(flags, "gateway", "RECUR_GATEWAY", "sandbox");
  if (name != "sandbox" && name != "stripe") {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_gateway",
                     "--gateway must be sandbox or stripe, got \"" + name + "\"", "gateway");
  }
  gateway.stripe = name == "stripe";
  if (!gateway.stripe) {
    for (const char* stripe_only : {"stripe-api-base", "stripe-publishable-key"}) {
      if (flags.values.contains(stripe_only)) {
        return MakeError(ErrorKind::kInvalidArgument, "invalid_gateway",
                         "--" + std::string(stripe_only) +
                             " is for --gateway stripe, and the gateway is the sandbox",
                         stripe_only);
      }
    }
    return gateway;
  }
  const char* key = std::getenv("STRIPE_SECRET_KEY");
  gateway.stripe_secret_key = key != nullptr ? key : "";
  const std::string& secret = gateway.stripe_secret_key;
  if (secret.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_stripe_key",
                     "--gateway stripe needs the environment variable STRIPE_SECRET_KEY (a secret "
                     "key sk_test_... or sk_live_..., or a restricted key rk_...); it is not set",
                     "gateway");
  }
  if (!secret.starts_with("sk_test_") && !secret.starts_with("sk_live_") &&
      !secret.starts_with("rk_test_") && !secret.starts_with("rk_live_")) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_stripe_key",
                     "STRIPE_SECRET_KEY must be a secret key (sk_test_... or sk_live_...) or a "
                     "restricted key (rk_test_... or rk_live_...); the one set starts otherwise "
                     "(a publishable key pk_... belongs in the browser)",
                     "gateway");
  }
  gateway.stripe_live = secret.starts_with("sk_live_") || secret.starts_with("rk_live_");
  const char* webhook_secret = std::getenv("RECUR_STRIPE_WEBHOOK_SECRET");
  gateway.stripe_webhook_secret = webhook_secret != nullptr ? webhook_secret : "";
  if (!gateway.stripe_webhook_secret.empty() &&
      !gateway.stripe_webhook_secret.starts_with("whsec_")) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_stripe_webhook_secret",
                     "RECUR_STRIPE_WEBHOOK_SECRET must be the signing secret of a Stripe webhook "
                     "endpoint (whsec_...); the one set starts otherwise",
                     "gateway");
  }
  gateway.stripe_api_base =
      FlagOrEnvironment(flags, "stripe-api-base", "RECUR_STRIPE_API_BASE", gateway.stripe_api_base);
  const std::string& base = gateway.stripe_api_base;
  const bool https = base.starts_with("https://");
  const std::string_view rest = std::string_view(base).substr(https                         ? 8
                                                              : base.starts_with("http://") ? 7
                                                                                            : 0);
  const std::size_t colon = rest.rfind(':');
  const std::string_view host =
      colon == std::string_view::npos || rest.ends_with(']') ? rest : rest.substr(0, colon);
  const bool plain_loopback = base.starts_with("http://") && LoopbackHost(host);
  if ((!https && !plain_loopback) || rest.empty() || rest.find('/') != std::string_view::npos) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_stripe_api_base",
                     "--stripe-api-base must be https://HOST[:PORT] (or http:// to a loopback "
                     "address, for a local fake), without a path; got \"" +
                         base + "\"",
                     "stripe-api-base");
  }
  if (auto key = ReadPublishableKey(flags, gateway.stripe_live); key) {
    gateway.stripe_publishable_key = std::move(*key);
  } else {
    return std::unexpected(key.error());
  }
  return gateway;
}

// --merchant-name / RECUR_MERCHANT_NAME: what receipts call the business; one line of text.
Result<std::string> ReadMerchantName(const ParsedFlags& flags) {
  std::string name = FlagOrEnvironment(flags, "merchant-name", "RECUR_MERCHANT_NAME",
                                       std::string(kDefaultMerchantName));
  constexpr std::size_t kLongest = 200;
  const bool control = std::ranges::any_of(
      name, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  if (name.empty() || name.size() > kLongest || control) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_merchant_name",
                     "--merchant-name must be 1 to " + std::to_string(kLongest) +
                         " bytes of text on one line (no control characters), the name receipts "
                         "show; got " +
                         std::to_string(name.size()) + " bytes" +
                         (control ? " with a control character" : ""),
                     "merchant-name");
  }
  return name;
}

}  // namespace

Result<ServeSettings> ReadServeSettings(const ParsedFlags& flags) {
  ServeSettings settings;
  auto database = ReadDatabaseSettings(flags);
  if (!database) return std::unexpected(database.error());
  settings.database = std::move(*database);
  settings.plans_path = FlagOrEnvironment(flags, "plans", "RECUR_PLANS", "plans");
  auto address = ParseAddress(FlagOrEnvironment(flags, "addr", "RECUR_ADDR", "127.0.0.1:8080"));
  if (!address) return std::unexpected(address.error());
  std::tie(settings.host, settings.port) = *address;
  const std::string level = FlagOrEnvironment(flags, "log-level", "RECUR_LOG_LEVEL", "info");
  auto log_level = ParseLogLevel(level);
  if (!log_level) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_log_level",
                     "--log-level must be debug, info, warn or error, got \"" + level + "\"",
                     "log-level");
  }
  settings.log_level = *log_level;
  std::string metrics = FlagOrEnvironment(flags, "metrics-addr", "RECUR_METRICS_ADDR", "");
  if (!metrics.empty()) {
    // A port alone is a loopback address: metrics without a key are for this machine unless an
    // operator names another address.
    if (metrics.find(':') == std::string::npos) metrics = "127.0.0.1:" + metrics;
    auto parsed = ParseAddress(metrics);
    if (!parsed) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_address",
                       "--metrics-addr must be PORT (on 127.0.0.1) or HOST:PORT with a port from "
                       "0 to 65535, got \"" +
                           metrics + "\"",
                       "metrics-addr");
    }
    settings.metrics_address = *parsed;
  }
  auto shutdown_timeout = ReadShutdownTimeout(flags);
  if (!shutdown_timeout) return std::unexpected(shutdown_timeout.error());
  settings.shutdown_timeout = *shutdown_timeout;
  auto lifecycle = ReadLifecycleOptions(flags);
  if (!lifecycle) return std::unexpected(lifecycle.error());
  settings.lifecycle = *lifecycle;
  auto allow = ReadWebhookAllowList(flags);
  if (!allow) return std::unexpected(allow.error());
  auto dispatcher = ReadDispatcherOptions(flags, std::move(*allow));
  if (!dispatcher) return std::unexpected(dispatcher.error());
  settings.dispatcher = *dispatcher;
  settings.dispatcher.lease = settings.database.lease;
  auto proxies = ReadTrustedProxies(flags);
  if (!proxies) return std::unexpected(proxies.error());
  settings.trusted_proxies = std::move(*proxies);
  auto origins = ReadAllowedOrigins(flags);
  if (!origins) return std::unexpected(origins.error());
  settings.allowed_origins = std::move(*origins);
  if (auto limits = ReadLimits(flags, settings); !limits) return std::unexpected(limits.error());
  auto gateway = ReadGatewaySettings(flags);
  if (!gateway) return std::unexpected(gateway.error());
  settings.gateway = std::move(*gateway);
  auto merchant_name = ReadMerchantName(flags);
  if (!merchant_name) return std::unexpected(merchant_name.error());
  settings.merchant_name = std::move(*merchant_name);
  auto console_session_ttl = ReadConsoleSessionTtl(flags);
  if (!console_session_ttl) return std::unexpected(console_session_ttl.error());
  settings.console_session_ttl = *console_session_ttl;
  return settings;
}

}  // namespace recur
