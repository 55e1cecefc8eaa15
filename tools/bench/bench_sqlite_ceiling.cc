// The durable-commit ceilings of SQLite on this machine's disk, with recur's settings (WAL,
// synchronous=FULL): how many transactions of one small row each commit per second (every
// commit waits for its fsync), and how many rows per second commit in batches of many
// 1.5 KiB rows per transaction. A fresh database file in `--dir` is used and removed.
//
// usage: bench_sqlite_ceiling --dir DIR [--seconds S] [--batch ROWS] [--row-bytes BYTES]
// Prints, one per line: "single_commits_per_s N", "batched_rows_per_s N",
// "batched_commits_per_s N".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include <SQLiteCpp/SQLiteCpp.h>

namespace {

struct Flags {
  std::string dir;
  double seconds = 3;
  int batch = 100;
  int row_bytes = 1536;
};

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i];
    const char* value = argv[i + 1];
    if (name == "--dir") {
      flags.dir = value;
    } else if (name == "--seconds") {
      flags.seconds = std::atof(value);
    } else if (name == "--batch") {
      flags.batch = std::atoi(value);
    } else if (name == "--row-bytes") {
      flags.row_bytes = std::atoi(value);
    } else {
      std::fprintf(stderr, "bench_sqlite_ceiling: unknown flag %s\n", argv[i]);
      std::exit(2);
    }
  }
  if (flags.dir.empty() || flags.seconds <= 0 || flags.batch < 1 || flags.row_bytes < 1) {
    std::fprintf(stderr,
                 "usage: bench_sqlite_ceiling --dir DIR [--seconds S] [--batch ROWS] "
                 "[--row-bytes BYTES]\n");
    std::exit(2);
  }
  return flags;
}

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// Commits transactions of `rows_per_commit` rows of `payload` for about `seconds`; returns
// {transactions, rows} per second.
std::pair<double, double> CommitFor(SQLite::Database& db, double seconds, int rows_per_commit,
                                    const std::string& payload) {
  SQLite::Statement insert(db, "INSERT INTO probe (payload) VALUES (?)");
  long long commits = 0;
  const auto start = SteadyClock::now();
  double elapsed = 0;
  do {
    SQLite::Transaction transaction(db);
    for (int row = 0; row < rows_per_commit; ++row) {
      insert.bind(1, payload);
      insert.exec();
      insert.reset();
    }
    transaction.commit();
    ++commits;
    elapsed = SecondsSince(start);
  } while (elapsed < seconds);
  return {commits / elapsed, commits * rows_per_commit / elapsed};
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  const std::filesystem::path path = std::filesystem::path(flags.dir) / "sqlite_ceiling.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("CREATE TABLE probe (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");

    const auto single = CommitFor(db, flags.seconds, 1, std::string(64, 's'));
    const auto batched =
        CommitFor(db, flags.seconds, flags.batch, std::string(flags.row_bytes, 'b'));
    std::printf("single_commits_per_s %.0f\n", single.first);
    std::printf("batched_rows_per_s %.0f\n", batched.second);
    std::printf("batched_commits_per_s %.1f\n", batched.first);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return 0;
}
