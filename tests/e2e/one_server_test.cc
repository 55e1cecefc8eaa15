// One `recur serve` per database and per address: a second server on either refuses to start
// (exit 2) with a message naming what is taken and, for a database, the process holding it.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::one_server_test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

class OneServerTest : public ServeTest {
 protected:
  // `recur serve` on `db` (as spelled) that must not start: its exit code and output.
  CommandResult RefusedServe(const std::string& db) {
    RecurServer::Options options = Options();
    options.db = db;
    CommandResult refused;
    auto server = RecurServer::Start(options, &refused.exit_code, &refused.err);
    EXPECT_EQ(server, nullptr) << "a second server started on " << db;
    return refused;
  }

  // What a refused serve says of the running server's database.
  std::string Held() const {
    return "the database " + fs::weakly_canonical(db_path()).string() +
           " is served by another process (pid " + std::to_string(server_->pid()) + ", holding " +
           "the lock on " + fs::weakly_canonical(db_path()).string() + ".lock)";
  }

  // `recur serve --addr ADDRESS` on a database of its own, which must end by itself (a server
  // that starts is stopped at the end of the test): its exit code and stderr.
  CommandResult ServeOnAddress(const std::string& address) {
    BackgroundProcess process({RecurBinary(), "serve", "--addr", address, "--db", dir_ / "other.db",
                               "--plans", plans_dir()},
                              ".", {{"RECUR_SECRET_KEY", kTestSecretKey}});
    const int exit_code = process.WaitForExit(60s);
    process.JoinOutput();
    return {exit_code, process.Stdout(), process.Stderr()};
  }
};

TEST_F(OneServerTest, ASecondServeOnTheSameDatabaseExits2NamingTheDatabaseAndItsHolder) {
  Serve();
  const CommandResult refused = RefusedServe(db_path());  // on another port
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("recur serve: " + Held()));
  // The first one serves on.
  auto health = server_->Client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(OneServerTest, TwoSpellingsOfTheDatabasesPathMeetTheSameLock) {
  Serve();
  // Relative to the server's working folder, the temporary folder (recur_process.cc), and
  // through a detour.
  const fs::path folder = fs::relative(dir_.path(), fs::temp_directory_path());
  CommandResult refused = RefusedServe("./" + (folder / "plans" / ".." / "recur.db").string());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr(Held()));

  fs::create_symlink(db_path(), dir_ / "link.db");
  refused = RefusedServe(dir_ / "link.db");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr(Held()));
}

TEST_F(OneServerTest, AfterTheServerIsKilledANewOneServesTheSameDatabase) {
  Serve();
  const std::string payer = NewPayer("user_1");
  server_->Signal(SIGKILL);
  ASSERT_EQ(server_->WaitForExit(10s), 128 + SIGKILL);
  Serve();
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer).status, 200);
  // The lock now names the new server.
  EXPECT_EQ(RefusedServe(db_path()).exit_code, 2);
}

TEST_F(OneServerTest, ADatabaseWithoutAFileIsRefused) {
  for (const std::string db : {":memory:", ""}) {
    const CommandResult refused = RunRecur({"serve", "--db", db, "--plans", plans_dir()});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_THAT(refused.err, HasSubstr("--db must name a file"));
  }
}

TEST_F(OneServerTest, AServeOnAnAddressAnotherProgramListensOnExits2NamingTheAddress) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string taken = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));

  const CommandResult refused = ServeOnAddress(taken);
  ::close(listener);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("cannot listen on " + taken));
}

TEST_F(OneServerTest, ASecondServeOnTheSameAddressExits2NamingTheAddress) {
  Serve();
  const std::string taken = "127.0.0.1:" + std::to_string(server_->port());
  const CommandResult refused = ServeOnAddress(taken);  // on another database
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("cannot listen on " + taken));
}

}  // namespace
}  // namespace recur::testing::one_server_test
