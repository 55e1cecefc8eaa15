// The command line of the real recur binary: --version, help and usage, and where each setting
// of recur serve comes from (its flag, else its environment variable, else its default).
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "base/version.h"
#include "tests/e2e/recur_process.h"
#include "tools/recur/serve_settings.h"
#include "tools/recur/serve_usage.h"

namespace recur::testing::command_line_test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Every command and subcommand, as typed before its flags.
const std::vector<std::vector<std::string>> kCommands = {
    {},
    {"serve"},
    {"plans"},
    {"plans", "check"},
    {"backup"},
    {"simulate"},
    {"simulate", "scenario"},
    {"simulate", "cohort"},
    {"webhooks"},
    {"webhooks", "sign"},
    {"webhooks", "listen"},
};

std::vector<std::string> With(std::vector<std::string> command, const std::string& arg) {
  command.push_back(arg);
  return command;
}

std::string Named(const std::vector<std::string>& command) {
  std::string name = "recur";
  for (const std::string& word : command) name += " " + word;
  return name;
}

TEST(CommandLine, VersionPrintsTheProjectsVersionOnOneLine) {
  const CommandResult run = RunRecur({"--version"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "recur " + std::string(kRecurVersion) + "\n");
  EXPECT_TRUE(std::regex_match(std::string(kRecurVersion), std::regex(R"(\d+\.\d+\.\d+)")))
      << kRecurVersion;
  EXPECT_EQ(run.err, "");
}

TEST(CommandLine, EveryCommandAnswersHelpWithItsUsageOnStdoutAndSucceeds) {
  for (const auto& command : kCommands) {
    for (const std::string help : {"--help", "-h"}) {
      const CommandResult run = RunRecur(With(command, help));
      EXPECT_EQ(run.exit_code, 0) << Named(command) << " " << help << ": " << run.err;
      EXPECT_THAT(run.out, StartsWith("usage: recur")) << Named(command) << " " << help;
      EXPECT_EQ(run.err, "") << Named(command) << " " << help;
    }
  }
  const CommandResult help = RunRecur({"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("recur serve --help"));
  const CommandResult help_serve = RunRecur({"help", "serve"});
  EXPECT_EQ(help_serve.exit_code, 0);
  EXPECT_EQ(help_serve.out, RunRecur({"serve", "--help"}).out);
}

TEST(CommandLine, AnUnknownFlagStillExitsTwoWithTheUsageOnStderr) {
  for (const auto& command : kCommands) {
    const CommandResult run = RunRecur(With(command, "--no-such-flag"));
    EXPECT_EQ(run.exit_code, 2) << Named(command);
    EXPECT_THAT(run.err, HasSubstr("usage: recur")) << Named(command);
    EXPECT_EQ(run.out, "") << Named(command);
  }
  const CommandResult none = RunRecur({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, StartsWith("usage: recur"));
}

TEST(CommandLine, ServeHelpListsEveryFlagWithItsVariableAndDefault) {
  const std::string help = RunRecur({"serve", "--help"}).out;
  std::vector<std::string_view> flags(kServeFlags.begin(), kServeFlags.end());
  flags.insert(flags.end(), kRepeatableServeFlags.begin(), kRepeatableServeFlags.end());
  const auto table = ServeFlagHelpTable();
  EXPECT_EQ(table.size(), flags.size()) << "a flag of the help table that serve does not take";
  for (std::string_view flag : flags) {
    const auto row = std::find_if(table.begin(), table.end(),
                                  [&](const ServeFlagHelp& help) { return help.flag == flag; });
    ASSERT_NE(row, table.end()) << "--" << flag << " is not in the help";
    EXPECT_THAT(row->variable, StartsWith("RECUR_")) << flag;
    EXPECT_THAT(
        help, HasSubstr("  --" + std::string(flag) + " " + std::string(row->argument) + "\n      " +
                        std::string(row->variable) + ", " +
                        (row->fallback.empty() ? "none" : std::string(row->fallback)) + "\n"))
        << flag;
  }
}

// For each serve setting: a value it refuses (one that no other message would quote), what the
// refusal says, and a value it takes.
// Settings that only apply with PostgreSQL, or with Stripe, come with the environment that
// makes them apply.
struct SettingCase {
  std::string flag;
  std::string refused;
  std::string refusal;
  std::string taken;
  std::map<std::string, std::string> env = {};
};

const std::string kUnreachablePostgres = "postgresql://127.0.0.1:1/recur";
const std::string kSystemCertificates = "/etc/ssl/certs/ca-certificates.crt";

// A configuration file that sets nothing.
std::string EmptyConfig(const TempDir& dir) {
  WriteFile(dir / "empty.toml", "# nothing set\n");
  return dir / "empty.toml";
}

std::vector<SettingCase> SettingCases(const TempDir& dir) {
  const std::map<std::string, std::string> postgres = {{"RECUR_DB", kUnreachablePostgres}};
  const std::map<std::string, std::string> stripe = {{"RECUR_GATEWAY", "stripe"},
                                                     {"STRIPE_SECRET_KEY", "sk_test_123"}};
  return {
      {"db", ":memory:", "--db must name a file", dir / "taken.db"},
      {"db-pool", "zero", "--db-pool must be", "4", postgres},
      {"db-statement-timeout", "forever", "--db-statement-timeout must be", "5s", postgres},
      {"lease", "never", "--lease must be", "30s", postgres},
      {"plans", dir / "no-such-plans", dir / "no-such-plans",
       std::string(RECUR_SOURCE_DIR) + "/plans"},
      {"addr", "localhost", "--addr must be HOST:PORT", "127.0.0.1:0"},
      {"log-level", "loud", "--log-level must be", "warn"},
      {"metrics-addr", "localhost:x", "--metrics-addr must be", "0"},
      {"dunning-retries", "3d,1d", "--dunning-retries must", "2d"},
      {"past-due-access", "maybe", "--past-due-access must", "revoke"},
      {"webhook-allow-cidr", "10.0.0.0/99", "10.0.0.0/99", "10.0.0.0/8"},
      {"webhook-retry-schedule", "soon", "--webhook-retry-schedule", "0,5"},
      {"webhook-disable-after", "soon", "--webhook-disable-after must", "60"},
      {"webhook-ca-file", dir / "no-such.pem", "--webhook-ca-file", kSystemCertificates},
      {"trusted-proxy", "not-an-address", "--trusted-proxy", "10.0.0.1"},
      {"allowed-origin", "ftp://x", "its scheme must be http or https", "https://app.example.com"},
      {"limit-failed-auth", "bad-rate-1", "--limit-failed-auth must", "5/1m"},
      {"limit-public", "bad-rate-2", "--limit-public must", "off"},
      {"limit-payment-attempts", "bad-rate-3", "--limit-payment-attempts must", "3/1h"},
      {"limit-pending-writes", "none", "--limit-pending-writes must", "10"},
      {"gateway", "paypal", "--gateway must be", "sandbox"},
      {"stripe-api-base", "ftp://stripe", "--stripe-api-base must", "http://127.0.0.1:1", stripe},
      {"stripe-publishable-key", "sk_test_notpublic", "--stripe-publishable-key must be",
       "pk_test_123", stripe},
      {"shutdown-timeout", "whenever", "--shutdown-timeout must be", "5s"},
      {"merchant-name", std::string(201, 'x'), "--merchant-name must be", "Acme Software, Inc."},
      {"console-session-ttl", "forever", "--console-session-ttl must be", "1h"},
      {"config", dir / "no-such.toml", "cannot read the configuration file", EmptyConfig(dir)},
  };
}

const ServeFlagHelp& HelpOf(const std::string& flag) {
  for (const ServeFlagHelp& row : ServeFlagHelpTable()) {
    if (row.flag == flag) return row;
  }
  throw std::runtime_error("no help for --" + flag);
}

TEST(CommandLine, EveryServeSettingIsTestedHere) {
  TempDir dir;
  std::vector<std::string> tested;
  for (const SettingCase& setting : SettingCases(dir)) tested.push_back(setting.flag);
  for (const ServeFlagHelp& row : ServeFlagHelpTable()) {
    EXPECT_NE(std::find(tested.begin(), tested.end(), row.flag), tested.end()) << row.flag;
  }
}

TEST(CommandLine, ServeReadsEachSettingsVariableWhenItsFlagIsAbsent) {
  TempDir dir;
  for (const SettingCase& setting : SettingCases(dir)) {
    std::map<std::string, std::string> env = setting.env;
    env[std::string(HelpOf(setting.flag).variable)] = setting.refused;
    const CommandResult run = RunRecur({"serve"}, dir.path(), env);
    EXPECT_NE(run.exit_code, 0) << setting.flag;
    EXPECT_THAT(run.err, HasSubstr(setting.refusal)) << setting.flag;
  }
}

// Makes a run of serve about `setting` end once its settings are read: the database named is in
// a folder that does not exist (or, for --db itself, the plans named do not), so no server starts.
void EndOnceSettingsAreRead(const SettingCase& setting, const TempDir& dir,
                            std::vector<std::string>& args,
                            std::map<std::string, std::string>& env) {
  if (setting.flag == "db") {
    args.insert(args.end(), {"--plans", dir / "no-such-plans"});
  } else if (!env.contains("RECUR_DB")) {
    env["RECUR_DB"] = dir / "no-such-folder/recur.db";
  }
}

TEST(CommandLine, AServeFlagWinsOverItsVariable) {
  TempDir dir;
  for (const SettingCase& setting : SettingCases(dir)) {
    std::map<std::string, std::string> env = setting.env;
    env[std::string(HelpOf(setting.flag).variable)] = setting.refused;
    std::vector<std::string> args = {"serve"};
    EndOnceSettingsAreRead(setting, dir, args, env);
    args.push_back("--" + setting.flag + "=" + setting.taken);
    const CommandResult run = RunRecur(args, dir.path(), env);
    EXPECT_THAT(run.err, ::testing::Not(HasSubstr("--" + setting.flag + " ")))
        << setting.flag << ": " << run.err;
    EXPECT_THAT(run.err, ::testing::Not(HasSubstr(setting.refused)))
        << setting.flag << ": " << run.err;
  }
}

// Stripe's publishable key is of the secret key's mode, never a secret key (which the refusal
// does not quote), and only for the Stripe gateway.
TEST(CommandLine, ServeRefusesAPublishableKeyOfTheOtherModeOrGateway) {
  TempDir dir;
  const std::string db = dir / "no-such-folder/recur.db";
  const struct {
    std::string secret;
    std::string publishable;
    std::string refusal;
  } cases[] = {
      {"sk_test_123", "pk_live_abc",
       "--stripe-publishable-key is a live key and STRIPE_SECRET_KEY a test one"},
      {"rk_live_123", "pk_test_abc",
       "--stripe-publishable-key is a test key and STRIPE_SECRET_KEY a live one"},
      {"sk_test_123", "sk_test_secretByMistake",
       "--stripe-publishable-key must be a publishable key"},
      {"sk_test_123", "pk_test_", "--stripe-publishable-key must be a publishable key"},
  };
  for (const auto& refused : cases) {
    const CommandResult run =
        RunRecur({"serve", "--gateway", "stripe", "--stripe-publishable-key", refused.publishable},
                 dir.path(), {{"STRIPE_SECRET_KEY", refused.secret}, {"RECUR_DB", db}});
    EXPECT_EQ(run.exit_code, 2) << refused.publishable;
    EXPECT_THAT(run.err, HasSubstr(refused.refusal)) << refused.publishable;
    EXPECT_THAT(run.err, ::testing::Not(HasSubstr("secretByMistake"))) << run.err;
  }
  const CommandResult sandbox = RunRecur({"serve", "--stripe-publishable-key", "pk_test_abc"},
                                         dir.path(), {{"RECUR_DB", db}});
  EXPECT_EQ(sandbox.exit_code, 2);
  EXPECT_THAT(
      sandbox.err,
      HasSubstr(
          "--stripe-publishable-key is for --gateway stripe, and the gateway is the sandbox"));
}

// The listening line's fields: the address, database and plans the server took.
std::string ListeningLine(BackgroundProcess& server) {
  EXPECT_TRUE(server.WaitForStderr("\"event\":\"listening\"", 30s)) << server.Stderr();
  const std::string err = server.Stderr();
  const std::size_t event = err.find("\"event\":\"listening\"");
  const std::size_t begin = err.rfind('\n', event);
  return err.substr(begin == std::string::npos ? 0 : begin + 1,
                    err.find('\n', event) - (begin == std::string::npos ? 0 : begin + 1));
}

TEST(CommandLine, ServeTakesItsAddressDatabaseAndPlansFromTheEnvironment) {
  TempDir dir;
  std::filesystem::copy(std::string(RECUR_SOURCE_DIR) + "/plans", dir / "catalog");
  BackgroundProcess server(
      {RecurBinary(), "serve"}, dir.path(),
      {{"RECUR_ADDR", "127.0.0.1:0"},
       {"RECUR_DB", dir / "from-env.db"},
       {"RECUR_PLANS", dir / "catalog"},
       {"RECUR_SECRET_KEY", "sk_test_0123456789abcdefghijklmnopqrstuvwxyzABCD"}});
  const std::string line = ListeningLine(server);
  EXPECT_THAT(line, HasSubstr("\"addr\":\"127.0.0.1:"));
  EXPECT_THAT(line, HasSubstr("\"db\":\"" + (dir / "from-env.db") + "\""));
  EXPECT_THAT(line, HasSubstr("\"plans\":\"" + (dir / "catalog") + "\""));
  EXPECT_TRUE(std::filesystem::exists(dir / "from-env.db"));
}

TEST(CommandLine, ServeDefaultsToRecurDbAndPlansInItsWorkingFolder) {
  TempDir dir;
  std::filesystem::copy(std::string(RECUR_SOURCE_DIR) + "/plans", dir / "plans");
  // Only the address is set, to a free port: the default 127.0.0.1:8080 may be taken.
  BackgroundProcess server(
      {RecurBinary(), "serve"}, dir.path(),
      {{"RECUR_ADDR", "127.0.0.1:0"},
       {"RECUR_SECRET_KEY", "sk_test_0123456789abcdefghijklmnopqrstuvwxyzABCD"}});
  const std::string line = ListeningLine(server);
  EXPECT_THAT(line, HasSubstr("\"db\":\"recur.db\""));
  EXPECT_THAT(line, HasSubstr("\"plans\":\"plans\""));
  EXPECT_TRUE(std::filesystem::exists(dir / "recur.db"));
}

TEST(CommandLine, LogLevelLeavesOutTheLinesLessSevereThanIt) {
  TempDir dir;
  // A database file open to others is made private at start with a warning; the missing plans
  // then end the run.
  WriteFile(dir / "recur.db", "");
  ASSERT_EQ(::chmod((dir / "recur.db").c_str(), 0644), 0);
  const std::vector<std::string> args = {"serve", "--db", dir / "recur.db", "--plans",
                                         dir / "no-such-plans"};
  const CommandResult warn = RunRecur(With(With(args, "--log-level"), "warn"), dir.path());
  EXPECT_THAT(warn.err, HasSubstr("database_file_made_private"));
  EXPECT_THAT(warn.err, HasSubstr("\"level\":\"warn\""));
  EXPECT_THAT(warn.err, ::testing::Not(HasSubstr("\"level\":\"info\"")));

  ASSERT_EQ(::chmod((dir / "recur.db").c_str(), 0644), 0);
  const CommandResult error = RunRecur(args, dir.path(), {{"RECUR_LOG_LEVEL", "error"}});
  EXPECT_THAT(error.err, ::testing::Not(HasSubstr("database_file_made_private")));
  EXPECT_THAT(error.err, HasSubstr("no-such-plans"));
}

// --- The configuration file (--config, RECUR_CONFIG): below the flag and the variable. ---

// `text` as a TOML basic string.
std::string TomlString(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

// A configuration file in `dir` setting `key` to `value`; its path.
std::string ConfigSetting(const TempDir& dir, const std::string& key, const std::string& value) {
  WriteFile(dir / "recur.toml", "# written by the test\n" + key + " = " + TomlString(value) + "\n");
  return dir / "recur.toml";
}

TEST(CommandLine, ServeReadsEachSettingFromTheConfigFileWhenNeitherFlagNorVariableGivesIt) {
  TempDir dir;
  for (const SettingCase& setting : SettingCases(dir)) {
    if (setting.flag == "config") continue;
    const std::string config = ConfigSetting(dir, setting.flag, setting.refused);
    const CommandResult run = RunRecur({"serve", "--config", config}, dir.path(), setting.env);
    EXPECT_NE(run.exit_code, 0) << setting.flag;
    EXPECT_THAT(run.err, HasSubstr(setting.refusal)) << setting.flag;
  }
}

TEST(CommandLine, AServeVariableWinsOverTheConfigFileAndAFlagOverBoth) {
  TempDir dir;
  for (const SettingCase& setting : SettingCases(dir)) {
    if (setting.flag == "config") continue;
    const std::string config = ConfigSetting(dir, setting.flag, setting.refused);
    const std::string variable(HelpOf(setting.flag).variable);
    std::map<std::string, std::string> env = setting.env;
    std::vector<std::string> args = {"serve", "--config", config};
    EndOnceSettingsAreRead(setting, dir, args, env);
    std::map<std::string, std::string> by_variable = env;
    by_variable[variable] = setting.taken;
    const CommandResult variable_wins = RunRecur(args, dir.path(), by_variable);
    EXPECT_THAT(variable_wins.err, ::testing::Not(HasSubstr(setting.refused)))
        << setting.flag << ": " << variable_wins.err;

    std::vector<std::string> with_flag = args;
    with_flag.push_back("--" + setting.flag + "=" + setting.taken);
    env[variable] = setting.refused;
    const CommandResult flag_wins = RunRecur(with_flag, dir.path(), env);
    EXPECT_THAT(flag_wins.err, ::testing::Not(HasSubstr(setting.refused)))
        << setting.flag << ": " << flag_wins.err;
  }
}

TEST(CommandLine, ServeTakesItsAddressDatabaseAndPlansFromTheConfigFileNamedByRecurConfig) {
  TempDir dir;
  std::filesystem::copy(std::string(RECUR_SOURCE_DIR) + "/plans", dir / "catalog");
  WriteFile(dir / "recur.toml", "addr = \"127.0.0.1:0\"\ndb = " + TomlString(dir / "from-file.db") +
                                    "\nplans = " + TomlString(dir / "catalog") +
                                    "\nwebhook-allow-cidr = [\"10.0.0.0/8\", \"127.0.0.0/8\"]\n"
                                    "limit-pending-writes = 64\n");
  BackgroundProcess server(
      {RecurBinary(), "serve"}, dir.path(),
      {{"RECUR_CONFIG", dir / "recur.toml"},
       {"RECUR_SECRET_KEY", "sk_test_0123456789abcdefghijklmnopqrstuvwxyzABCD"}});
  const std::string line = ListeningLine(server);
  EXPECT_THAT(line, HasSubstr("\"addr\":\"127.0.0.1:"));
  EXPECT_THAT(line, HasSubstr("\"db\":\"" + (dir / "from-file.db") + "\""));
  EXPECT_THAT(line, HasSubstr("\"plans\":\"" + (dir / "catalog") + "\""));
}

// The flag's case is in serve_on_postgres_test.cc; a setting from the environment or the file
// would be as silently useless beside a SQLite file, so it is refused the same way.
TEST(CommandLine, APostgresOnlySettingFromTheEnvironmentOrTheConfigFileIsRefusedBesideSqlite) {
  TempDir dir;
  WriteFile(dir / "recur.toml", "lease = \"30s\"\n");
  const CommandResult from_environment =
      RunRecur({"serve", "--db", dir / "never-made.db"}, dir.path(), {{"RECUR_DB_POOL", "4"}});
  EXPECT_EQ(from_environment.exit_code, 2);
  EXPECT_THAT(from_environment.err,
              HasSubstr("RECUR_DB_POOL is for a PostgreSQL database, and --db names a SQLite "
                        "file"));
  const CommandResult from_file = RunRecur(
      {"serve", "--config", dir / "recur.toml", "--db", dir / "never-made.db"}, dir.path());
  EXPECT_EQ(from_file.exit_code, 2);
  EXPECT_THAT(from_file.err, HasSubstr("lease in the configuration file is for a PostgreSQL "
                                       "database, and --db names a SQLite file"));
  EXPECT_FALSE(std::filesystem::exists(dir / "never-made.db"));
}

TEST(CommandLine, AConfigFileWithAnUnknownKeyAWrongTypeOrBadSyntaxIsRefusedWithItsLine) {
  TempDir dir;
  const std::string config = dir / "recur.toml";
  const struct {
    std::string text;
    std::string refusal;
  } cases[] = {
      {"db = \"x.db\"\nadr = \"127.0.0.1:0\"\n",
       config + ":2: unknown key \"adr\"; did you mean \"addr\"?"},
      {"# pool\n\ndb-pool = true\n",
       config + ":3: key \"db-pool\" must be a string or a whole number, got true or false"},
      {"[webhook]\nallow = \"10.0.0.0/8\"\n", config + ":1: unknown key \"webhook\""},
      {"trusted-proxy = [\"10.0.0.1\",\n  2.5]\n",
       config + ":2: key \"trusted-proxy\": each entry must be a string, got a fraction"},
      {"config = \"other.toml\"\n", config + ":1: unknown key \"config\""},
      {"addr = \"127.0.0.1:0\"\nplans = \n", config + ":2: not valid TOML"},
  };
  for (const auto& [text, refusal] : cases) {
    WriteFile(config, text);
    const CommandResult run =
        RunRecur({"serve", "--config", config, "--db", dir / "never-made.db"}, dir.path());
    EXPECT_EQ(run.exit_code, 2) << text;
    EXPECT_THAT(run.err, HasSubstr(refusal)) << text;
    EXPECT_FALSE(std::filesystem::exists(dir / "never-made.db")) << text;
  }
}

}  // namespace
}  // namespace recur::testing::command_line_test
