// recur: the subscription billing and free-trial engine. Dispatches to a subcommand; answers
// --version and help (each command answers -h and --help itself).
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "base/version.h"
#include "tools/recur/commands.h"
#include "tools/recur/webhooks_command.h"

namespace {

constexpr const char* kUsage =
    "usage: recur <command> [flags]\n"
    "       recur <command> --help    (or -h: a command's usage, every flag of it)\n"
    "       recur --version\n"
    "\n"
    "commands:\n"
    "  serve [--db FILE|POSTGRESQL] [--plans PATH] [--addr HOST:PORT] [FLAG VALUE]...\n"
    "      run the HTTP API; `recur serve --help` lists every flag with its environment\n"
    "      variable (RECUR_DB, RECUR_PLANS, RECUR_ADDR, ...) and its default\n"
    "  backup DEST [--db FILE]\n"
    "      copy the SQLite database and the sandbox's ledger to DEST while serve runs\n"
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
    "  help [COMMAND]\n"
    "      show this text, or a command's usage\n";

bool IsHelp(const std::string& arg) { return arg == "help" || arg == "--help" || arg == "-h"; }

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (args[0] == "--version") {
    std::printf("recur %.*s\n", static_cast<int>(recur::kRecurVersion.size()),
                recur::kRecurVersion.data());
    return 0;
  }
  // "recur help serve" is "recur serve --help".
  if (args[0] == "help" && args.size() > 1) {
    args.erase(args.begin());
    args.emplace_back("--help");
  }
  if (IsHelp(args[0])) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const std::span<const std::string> rest = std::span(args).subspan(1);
  if (args[0] == "serve") return recur::RunServe(rest);
  if (args[0] == "webhooks") return recur::RunWebhooks(rest);
  if (args[0] == "simulate") return recur::RunSimulate(rest);
  if (args[0] == "plans") return recur::RunPlans(rest);
  if (args[0] == "backup") return recur::RunBackup(rest);
  std::fprintf(stderr, "recur: unknown command \"%s\"\n\n%s", args[0].c_str(), kUsage);
  return 2;
}
