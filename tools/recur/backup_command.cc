// recur backup DEST: a consistent copy of the SQLite database that --db / RECUR_DB names, made
// while `recur serve` runs on it (store/sqlite/sqlite_backup.h), and of the sandbox gateway's
// ledger beside it (FILE.sandbox, to DEST.sandbox). The database is copied first, the ledger
// after: the ledger then holds every charge the copied database knows of, as a real gateway
// would (a charge the database does not know of is one whose recording the backup missed, and
// is found again there by its idempotency key). Nothing existing is overwritten, and a failure
// leaves no copy behind. PostgreSQL is refused with a pointer to pg_dump.
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string_view>

#include "store/postgres/pg_conninfo.h"
#include "store/sqlite/sqlite_backup.h"
#include "tools/recur/commands.h"
#include "tools/recur/flags.h"

namespace recur {
namespace {

constexpr const char* kUsage =
    "usage: recur backup DEST [--db FILE]\n"
    "\n"
    "Copies the SQLite database (--db, else RECUR_DB, else recur.db) to the new file DEST, and\n"
    "the sandbox gateway's ledger FILE.sandbox to DEST.sandbox, consistently, while recur serve\n"
    "runs on it. DEST must not exist. To restore, stop the server and serve the copy:\n"
    "recur serve --db DEST (docs/operating.md). For PostgreSQL, use pg_dump.\n";

constexpr std::array<std::string_view, 1> kBackupFlags = {"db"};

bool Exists(const std::string& path) {
  struct stat status = {};
  return ::lstat(path.c_str(), &status) == 0;
}

int Fail(const Error& error) {
  std::fprintf(stderr, "recur backup: %s\n", error.message.c_str());
  return 1;
}

}  // namespace

int RunBackup(std::span<const std::string> args) {
  if (AsksForHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  auto flags = ParseFlags(args, kBackupFlags);
  if (!flags || flags->positional.size() != 1) {
    std::fprintf(stderr, "recur backup: %s\n%s",
                 !flags ? flags.error().message.c_str()
                 : flags->positional.empty()
                     ? "name the file to make, DEST"
                     : ("unexpected argument " + flags->positional[1]).c_str(),
                 kUsage);
    return 2;
  }
  const std::string& destination = flags->positional[0];
  const std::string db = FlagOrEnvironment(*flags, "db", "RECUR_DB", "recur.db");
  if (IsPostgresConninfo(db)) {
    std::fputs(
        "recur backup: --db names a PostgreSQL database; recur backup copies a SQLite file. "
        "Back PostgreSQL up with its own tools, e.g. pg_dump --format=custom --file=DEST "
        "\"$RECUR_DB\" (docs/operating.md)\n",
        stderr);
    return 2;
  }
  const std::string sandbox = db + ".sandbox";
  const std::string sandbox_copy = destination + ".sandbox";
  for (const std::string& taken : {destination, sandbox_copy}) {
    if (Exists(taken)) {
      return Fail({ErrorKind::kAlreadyExists, "backup_exists",
                   taken + " already exists; a backup never overwrites a file, so name a new "
                           "one (or remove the old one first)"});
    }
  }
  if (Status copied = BackUpSqliteDatabase(db, destination); !copied) return Fail(copied.error());
  if (Exists(sandbox)) {
    if (Status copied = BackUpSqliteDatabase(sandbox, sandbox_copy); !copied) {
      ::unlink(destination.c_str());
      return Fail(copied.error());
    }
    std::printf("recur backup: copied %s to %s and %s to %s\n", db.c_str(), destination.c_str(),
                sandbox.c_str(), sandbox_copy.c_str());
  } else {
    std::printf("recur backup: copied %s to %s\n", db.c_str(), destination.c_str());
  }
  return 0;
}

}  // namespace recur
