// recur: the subscription billing and free-trial engine. Dispatches to a subcommand.
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "tools/recur/commands.h"
#include "tools/recur/webhooks_command.h"

namespace {

constexpr const char* kUsage =
    "usage: recur <command> [flags]\n"
    "\n"
    "commands:\n"
    "  serve [--db FILE|POSTGRESQL] [--plans PATH] [--addr HOST:PORT] [--dunning-retries LIST]\n"
    "        [--db-pool N] [--db-statement-timeout DURATION|off] [--lease DURATION]\n"
    "        [--past-due-access keep|revoke] [--webhook-allow-cidr CIDR ...]\n"
    "        [--webhook-retry-schedule SECONDS,...] [--webhook-disable-after SECONDS]\n"
    "        [--webhook-ca-file PEM] [--trusted-proxy CIDR ...] [--allowed-origin ORIGIN ...]\n"
    "        [--limit-failed-auth RATE|off] [--limit-public RATE|off]\n"
    "        [--limit-payment-attempts RATE|off] [--limit-pending-writes N|off]\n"
    "      run the HTTP API (defaults: --db ./recur.db --plans ./plans --addr 127.0.0.1:8080\n"
    "      --dunning-retries 1d,3d,5d,7d --past-due-access keep --webhook-retry-schedule\n"
    "      0,5,300,1800,7200,18000,36000,36000 --webhook-disable-after 432000 (5 days)\n"
    "      --limit-failed-auth 20/1m --limit-public off --limit-payment-attempts 10/1h\n"
    "      --limit-pending-writes 1024; a RATE is COUNT/WINDOW, docs/operating.md).\n"
    "      --db takes a SQLite file, or a PostgreSQL database as a postgresql:// URI or libpq\n"
    "      words (\"host=db1 dbname=recur\"; password from the URI, PGPASSWORD or ~/.pgpass);\n"
    "      on PostgreSQL, --db-pool (default 8) bounds the connections and\n"
    "      --db-statement-timeout (default 10s; ms, s or m) each statement, and --lease\n"
    "      (default 60s, 1s to 1h) how long a node's due work and deliveries stay its own\n"
    "      unrenewed (its idempotency claims half of it), docs/postgresql.md\n"
    "  plans check PATH\n"
    "      validate a plan catalog (a folder of *.json plan files, or one catalog file)\n"
    "  simulate scenario FILE [--plans PATH] [--payloads] [--json] [--seed N]\n"
    "           [--deliver URL --secret whsec_... [--pace DURATION]]\n"
    "      run a scenario (docs/simulate.md) on the real engine with a simulated clock and\n"
    "      print its timeline; --deliver also sends each event, signed, to a handler\n"
    "  simulate cohort [--payers N] [--days D] [--seed S] [--design days=N,card=yes|no ...]\n"
    "           [--mix plan[/annual]:weight,...] [--churn P] [--failure P] [--recovery P]\n"
    "           [--json] [--report FILE.html] (docs/simulate.md lists every flag)\n"
    "      compare free-trial designs over synthetic payers on the real engine\n"
    "  webhooks sign --secret whsec_... --id MSG_ID --timestamp SECONDS < BODY\n"
    "      print the webhook-signature header value for a body (Standard Webhooks v1)\n"
    "  webhooks listen --port PORT --secret whsec_... [--host 127.0.0.1]\n"
    "      receive deliveries locally, verify each signature and print the event\n"
    "  help\n"
    "      show this text\n"
    "\n"
    "environment:\n"
    "  RECUR_SECRET_KEY   the secret API key (sk_...); without it, serve generates one on first\n"
    "                     start, prints it once and stores only its hash\n"
    "  RECUR_DUNNING_RETRIES, RECUR_PAST_DUE_ACCESS, RECUR_WEBHOOK_ALLOW_CIDRS (comma-separated),\n"
    "  RECUR_WEBHOOK_RETRY_SCHEDULE, RECUR_WEBHOOK_DISABLE_AFTER, RECUR_WEBHOOK_CA_FILE,\n"
    "  RECUR_LIMIT_FAILED_AUTH, RECUR_LIMIT_PUBLIC, RECUR_LIMIT_PAYMENT_ATTEMPTS,\n"
    "  RECUR_LIMIT_PENDING_WRITES, RECUR_DB, RECUR_DB_POOL, RECUR_DB_STATEMENT_TIMEOUT\n"
    "                     as the flags of the same names\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::span<const std::string> rest = std::span(args).subspan(1);
  if (args[0] == "serve") return recur::RunServe(rest);
  if (args[0] == "webhooks") return recur::RunWebhooks(rest);
  if (args[0] == "simulate") return recur::RunSimulate(rest);
  if (args[0] == "plans" && !rest.empty() && rest[0] == "check") {
    return recur::RunPlansCheck(rest.subspan(1));
  }
  std::fprintf(stderr, "recur: unknown command \"%s\"\n\n%s", args[0].c_str(), kUsage);
  return 2;
}
