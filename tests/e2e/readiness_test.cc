// GET /readyz of the real `recur serve`: ready once the scheduler and the dispatcher run and the
// database takes a write; not ready (503 not_ready, the reason in the error format) while a
// SQLite file is locked by another writer, and ready again once it is free, while /healthz, the
// liveness check, answers 200 throughout. (PostgreSQL stopped and started again is in
// serve_on_postgres_test.cc.)
#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::readiness_test {
namespace {

using ::testing::HasSubstr;

class ReadinessTest : public ServeTest {
 protected:
  // The status and body of GET /readyz.
  Answer Readiness() {
    auto answer = server_->Client().Get("/readyz");
    if (!answer) throw std::runtime_error("no HTTP answer to GET /readyz");
    return {answer->status, nlohmann::json::parse(answer->body)};
  }
};

TEST_F(ReadinessTest, AServerIsReadyOnceItsLoopsRunAndItsDatabaseTakesAWrite) {
  Serve();
  ASSERT_TRUE(WaitUntil("GET /readyz answering 200", [&] { return Readiness().status == 200; }));
  EXPECT_EQ(Readiness().body, nlohmann::json({{"status", "ready"}}));
}

TEST_F(ReadinessTest, ALockedSqliteFileMakesItNotReadyUntilTheLockIsGone) {
  if (OnPostgres()) GTEST_SKIP() << "a SQLite file's lock";
  Serve();
  ASSERT_TRUE(WaitUntil("GET /readyz answering 200", [&] { return Readiness().status == 200; }));
  {
    // Another process's writer, as a shell or a backup tool that writes would be.
    SQLite::Database writer(db_path(), SQLite::OPEN_READWRITE);
    writer.setBusyTimeout(5000);  // should the server be writing at this moment
    SQLite::Transaction held(writer, SQLite::TransactionBehavior::IMMEDIATE);
    Answer refused;
    ASSERT_TRUE(WaitUntil("GET /readyz answering 503", [&] {
      refused = Readiness();
      return refused.status == 503;
    }));
    EXPECT_EQ(refused.body["error"]["code"], "not_ready") << refused.body;
    EXPECT_THAT(refused.body["error"]["message"].get<std::string>(), HasSubstr("database"))
        << refused.body;
    EXPECT_TRUE(refused.body["error"].contains("request_id")) << refused.body;
    // Alive all the same: a load balancer leaves it out, nothing restarts it.
    auto health = server_->Client().Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
  }
  EXPECT_TRUE(
      WaitUntil("GET /readyz answering 200 again", [&] { return Readiness().status == 200; }));
}

}  // namespace
}  // namespace recur::testing::readiness_test
