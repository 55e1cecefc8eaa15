// Faults of the database's storage under the real `recur serve`: a database locked by another
// process, a disk that fills up, a database that cannot be written. Each write it stops answers
// 503 storage_error saying what happened to which file, and is logged; reads go on; nothing
// acknowledged is lost; and once the fault clears, writes work again without a restart.
//
// A full disk is a small tmpfs mounted in a mount namespace of the server's own (unshare), so
// nothing outside the test sees it and it goes away with the server; the test reaches the
// server's files through /proc/PID/root. Run as root (as CI does), the namespace is a plain mount
// namespace; otherwise a user namespace maps the user to root inside it.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <sstream>
#include <vector>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::storage_faults_test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

class StorageFaultsTest : public ServeTest {
 protected:
  // An authenticated POST with an Idempotency-Key.
  Answer KeyedPost(const std::string& path, const nlohmann::json& body, const std::string& key) {
    httplib::Headers headers = Auth();
    headers.emplace("Idempotency-Key", key);
    auto client = server_->Client();
    // Under a lock, a keyed request may wait out the busy timeout twice: once purging expired
    // keys (the first keyed request does), once claiming its key.
    client.set_read_timeout(30s);
    auto result = client.Post(path, headers, body.dump(), "application/json");
    if (!result) throw std::runtime_error("no HTTP answer to POST " + path);
    return {result->status, nlohmann::json::parse(result->body)};
  }

  static nlohmann::json PayerFields(const std::string& external_id) {
    return {
        {"external_id", external_id}, {"type", "user"}, {"email", external_id + "@example.com"}};
  }

  // The external ids of the payers in the database file at `db`, as a second process reads it;
  // with `pid`, in that process's mount namespace.
  static std::vector<std::string> StoredExternalIds(const std::string& db, pid_t pid = 0) {
    std::vector<std::string> argv;
    if (pid != 0) {
      argv = {"nsenter", "--target", std::to_string(pid), "--mount"};
      if (geteuid() != 0) argv.insert(argv.end(), {"--user", "--preserve-credentials"});
    }
    argv.insert(argv.end(), {"sqlite3", db, "SELECT external_id FROM payers ORDER BY external_id"});
    const CommandResult listed = RunCommand(argv);
    if (listed.exit_code != 0) throw std::runtime_error("sqlite3: " + listed.err);
    std::vector<std::string> ids;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) ids.push_back(line);
    return ids;
  }

  // Expects `answer` to be the 503 storage_error of a fault, its message containing `cause`.
  static void ExpectStorageError(const Answer& answer, const std::string& cause) {
    EXPECT_EQ(answer.status, 503) << answer.body.dump();
    EXPECT_EQ(answer.body["error"]["code"], "storage_error");
    EXPECT_THAT(answer.body["error"]["message"].get<std::string>(), HasSubstr(cause));
  }
};

// The words before `recur serve` that run it in a mount namespace of its own, where `folder` is
// a tmpfs of `size` (mount's syntax: "8m").
std::vector<std::string> OnTmpfs(const std::string& folder, const std::string& size) {
  std::vector<std::string> launcher = {"unshare", "--mount", "--propagation", "private"};
  if (geteuid() != 0) launcher.insert(launcher.begin() + 1, {"--user", "--map-root-user"});
  launcher.insert(launcher.end(), {"--", "sh", "-c",
                                   "mount -t tmpfs -o size=" + size +
                                       ",mode=0700 recur-test \"$1\" && shift && "
                                       "exec \"$@\"",
                                   "sh", folder});
  return launcher;
}

// Writes zeros to a new file `path` until its filesystem is full.
void FillDisk(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  const std::vector<char> zeros(64 * 1024, 0);
  std::size_t chunk = zeros.size();
  while (chunk > 0) {  // down to single bytes, so that not even a small write fits afterwards
    if (::write(fd, zeros.data(), chunk) < 0) {
      if (errno != ENOSPC) throw std::runtime_error("writing " + path + " failed");
      chunk /= 2;
    }
  }
  ::close(fd);
}

TEST_F(StorageFaultsTest, ALockedDatabaseAnswers503ToWritesAfterTheBusyTimeoutWhileReadsGoOn) {
  Serve();
  const std::string payer = NewPayer("before_the_lock");

  // Another process takes the write lock and holds it until the file `hold` goes (a minute at
  // most, so that nothing outlives a failed test).
  const std::string hold = dir_ / "hold";
  const std::string held = dir_ / "held";
  WriteFile(hold, "");
  BackgroundProcess locker({"sqlite3", db_path(), "-cmd", "BEGIN IMMEDIATE", "-cmd",
                            ".shell touch '" + held + "'; for i in $(seq 1200); do [ -e '" + hold +
                                "' ] || break; sleep 0.05; done",
                            "-cmd", "COMMIT"},
                           dir_.path(), {});
  ASSERT_TRUE(WaitUntil("the other process holding the lock", [&] { return fs::exists(held); }))
      << locker.Stderr();

  // Writes wait out the busy timeout, then fail, naming the database and the cause.
  const std::string locked = "the database " + db_path() + " is locked";
  ExpectStorageError(Call("POST", "/v1/payers", PayerFields("during_the_lock")), locked);
  ExpectStorageError(KeyedPost("/v1/payers", PayerFields("keyed"), "payer-keyed"), locked);
  EXPECT_TRUE(server_->WaitForStderr("\"event\":\"request_failed\"", kPatience, 2));
  EXPECT_THAT(server_->Stderr(), HasSubstr(locked));
  EXPECT_THAT(server_->Stderr(), HasSubstr("claiming idempotency key payer-keyed failed"));

  // Reads do not wait for the lock (WAL).
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer).status, 200);
  EXPECT_EQ(Call("GET", "/v1/events?limit=5").status, 200);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").status, 200);

  // Once the lock is let go, the same writes work, the keyed one too: nothing of them remained.
  fs::remove(hold);
  ASSERT_EQ(locker.WaitForExit(kPatience), 0) << locker.Stderr();
  EXPECT_EQ(Call("POST", "/v1/payers", PayerFields("during_the_lock")).status, 200);
  EXPECT_EQ(KeyedPost("/v1/payers", PayerFields("keyed"), "payer-keyed").status, 200);
  EXPECT_EQ(StoredExternalIds(db_path()),
            (std::vector<std::string>{"before_the_lock", "during_the_lock", "keyed"}));
}

TEST_F(StorageFaultsTest, AServerOnADatabaseItMayNotWriteRefusesToStartNamingItAndStartsOnceFixed) {
  Serve();
  const std::string payer = NewPayer("kept");
  server_->Signal(SIGTERM);
  ASSERT_EQ(server_->WaitForExit(kPatience), 0);

  // Permissions do not bind root: run as root, the test serves as an unprivileged user, from a
  // copy of recur beside the database (the build folder may be closed to that user).
  RecurServer::Options options = Options();
  if (geteuid() == 0) {
    options.binary = dir_ / "recur";
    fs::copy_file(RecurBinary(), options.binary);
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir_.path())) {
      ASSERT_EQ(::chown(entry.path().c_str(), 65534, 65534), 0) << entry.path();
    }
    ASSERT_EQ(::chown(dir_.path().c_str(), 65534, 65534), 0);
    options.launcher = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
  }
  fs::permissions(db_path(), fs::perms::owner_read);

  int exit_code = 0;
  std::string output;
  EXPECT_EQ(RecurServer::Start(options, &exit_code, &output), nullptr);
  EXPECT_EQ(exit_code, 1);
  EXPECT_THAT(output, HasSubstr("recur serve: cannot open the database " + db_path() +
                                " for writing: it is read-only"));

  fs::permissions(db_path(), fs::perms::owner_read | fs::perms::owner_write);
  server_ = RecurServer::Start(options, &exit_code, &output);
  ASSERT_NE(server_, nullptr) << output;
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer).status, 200);
  EXPECT_EQ(Call("POST", "/v1/payers", PayerFields("after_the_fix")).status, 200);
}

TEST_F(StorageFaultsTest, AFullDiskAnswers503ToWritesWhileReadsGoOnAndWritesWorkOnceSpaceIsFreed) {
  const std::string data = dir_ / "data";  // the tmpfs, in the server's mount namespace
  fs::create_directory(data);
  const CommandResult probe = RunCommand(
      [&] {
        std::vector<std::string> argv = OnTmpfs(data, "1m");
        argv.push_back("true");
        return argv;
      }(),
      "", dir_.path());
  // Root (as in CI) or unprivileged user namespaces are needed; without either this test fails
  // rather than pass without having filled a disk.
  ASSERT_EQ(probe.exit_code, 0) << "cannot mount a tmpfs in a namespace (run as root, or allow "
                                   "unprivileged user namespaces): "
                                << probe.err;

  RecurServer::Options options = Options();
  options.db = data + "/recur.db";
  options.launcher = OnTmpfs(data, "8m");
  server_ = RecurServer::Start(options);
  ASSERT_NE(server_, nullptr);
  const std::string seen = "/proc/" + std::to_string(server_->pid()) + "/root" + data;
  ASSERT_TRUE(fs::exists(seen + "/recur.db"));
  ASSERT_FALSE(fs::exists(data + "/recur.db")) << "the tmpfs is not the server's own";

  const std::string payer = NewPayer("before_the_disk_filled", "pm_card_visa");
  const Answer item = Call("POST", "/v1/payers/" + payer + "/subscription_items",
                           {{"plan", "pro"}, {"interval", "month"}});
  ASSERT_EQ(item.status, 200) << item.body;
  const nlohmann::json subscription = Call("GET", "/v1/payers/" + payer + "/subscription").body;

  FillDisk(seen + "/filler");
  const std::string full = "the disk holding the database " + options.db + " is full";
  ExpectStorageError(Call("POST", "/v1/payers", PayerFields("while_full")), full);
  ExpectStorageError(KeyedPost("/v1/payers", PayerFields("keyed"), "payer-keyed"), full);
  ExpectStorageError(Call("DELETE", "/v1/subscription_items/" + item.body["id"].get<std::string>()),
                     full);
  EXPECT_TRUE(server_->WaitForStderr("\"event\":\"request_failed\"", kPatience));
  EXPECT_THAT(server_->Stderr(), HasSubstr(full));

  // Reads go on, and say what was stored before.
  const Answer read = Call("GET", "/v1/payers/" + payer + "/subscription");
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, subscription) << "the refused cancel changed the subscription";
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").status, 200);
  EXPECT_EQ(Call("GET", "/v1/events?limit=5").status, 200);

  // Space freed: the same writes work, without a restart, the keyed one too.
  fs::remove(seen + "/filler");
  EXPECT_EQ(Call("POST", "/v1/payers", PayerFields("while_full")).status, 200);
  EXPECT_EQ(KeyedPost("/v1/payers", PayerFields("keyed"), "payer-keyed").status, 200);
  EXPECT_EQ(StoredExternalIds(options.db, server_->pid()),
            (std::vector<std::string>{"before_the_disk_filled", "keyed", "while_full"}));
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/subscription").body, subscription);
}

}  // namespace
}  // namespace recur::testing::storage_faults_test
