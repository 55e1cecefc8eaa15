// The HTTP edge of the real `recur serve` under requests a well-behaved client would not send:
// ambiguous framing, bodies past the limit in every framing, encoded bodies, requests refused
// from their head, slow and idle connections, bytes that are not UTF-8, numbers out of range,
// duplicate JSON keys. Framing is written on raw sockets; every read has a generous deadline,
// so that a server that hangs fails the test instead of hanging it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <memory>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"
#include "tests/e2e/raw_connection.h"

namespace recur::testing::http_edge_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Sends `byte` every tenth of a second, which keeps the connection from idling out, until the
// server closes it (or the test's patience ends).
void DripUntilClosed(RawConnection& connection, std::string_view byte) {
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!connection.closed() && std::chrono::steady_clock::now() < give_up) {
    connection.Send(byte);
    connection.Read(100ms);
  }
}

std::string AuthLine() { return std::string("Authorization: Bearer ") + kTestSecretKey + "\r\n"; }

class HttpEdgeTest : public ServeTest {
 protected:
  // The server, with the head's and the body's deadlines at half a second and the idle timeout
  // at a second.
  RecurServer& ServeWithShortDeadlines() {
    RecurServer::Options options = Options();
    options.env["RECUR_TEST_HTTP_DEADLINE_MS"] = "500";
    server_ = RecurServer::Start(options);
    if (!server_) throw std::runtime_error("recur serve did not start");
    return *server_;
  }

  // Sends `request` on a new connection and reads until the server closes it.
  RawAnswer SendAndExpectClose(const std::string& request) {
    RawConnection connection(server_->port());
    EXPECT_TRUE(connection.connected());
    connection.Send(request);
    const std::string received = connection.ReadUntilClosed();
    EXPECT_TRUE(connection.closed()) << "the connection stayed open after: " << received;
    return ParseAnswer(received);
  }
};

TEST_F(HttpEdgeTest, AmbiguousFramingIsRefusedAndTheConnectionClosed) {
  Serve();
  const std::string head = "POST /v1/plans/reload HTTP/1.1\r\nHost: x\r\n" + AuthLine();
  for (const std::string& framing :
       {std::string("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        std::string("Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"),
        std::string("Transfer-Encoding: gzip\r\n\r\n"),
        std::string("Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")}) {
    RawAnswer answer = SendAndExpectClose(head + framing);
    EXPECT_EQ(answer.status, 400) << framing;
    EXPECT_EQ(answer.error["code"], "malformed_request") << framing;
  }
}

TEST_F(HttpEdgeTest, AContentLengthThatIsNotPlainDigitsIsRefusedAndTheConnectionClosed) {
  // libmicrohttpd refuses these itself, before the server sees the request, in its own words.
  Serve();
  for (const std::string length : {"0abc", "+0", "-1", ""}) {
    RawAnswer answer = SendAndExpectClose("POST /v1/plans/reload HTTP/1.1\r\nHost: x\r\n" +
                                          AuthLine() + "Content-Length: " + length + "\r\n\r\n");
    EXPECT_EQ(answer.status, 400) << length;
  }
}

TEST_F(HttpEdgeTest, AnAnnouncedBodyPastTheLimitIsRefusedBeforeItIsSent) {
  Serve();
  RawAnswer answer = SendAndExpectClose("POST /v1/payers HTTP/1.1\r\nHost: x\r\n" + AuthLine() +
                                        "Content-Length: 10485760\r\n\r\n");
  EXPECT_EQ(answer.status, 413);
  EXPECT_EQ(answer.error["code"], "body_too_large");
}

TEST_F(HttpEdgeTest, AChunkedBodyPastTheLimitIsRefusedAsItArrives) {
  Serve();
  RawConnection connection(server_->port());
  connection.Send("POST /v1/payers HTTP/1.1\r\nHost: x\r\n" + AuthLine() +
                  "Transfer-Encoding: chunked\r\n\r\n");
  const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
  // 4 MiB offered; the server stops taking them past 1 MiB.
  for (int i = 0; i < 64 && connection.Send(chunk); ++i) {
  }
  const std::string received = connection.ReadUntilClosed();
  EXPECT_TRUE(connection.closed());
  RawAnswer answer = ParseAnswer(received);
  EXPECT_EQ(answer.status, 413);
  EXPECT_EQ(answer.error["code"], "body_too_large");
}

TEST_F(HttpEdgeTest, AnEncodedBodyIsRefusedWith415BeforeItIsRead) {
  Serve();
  RawAnswer answer = SendAndExpectClose("POST /v1/payers HTTP/1.1\r\nHost: x\r\n" + AuthLine() +
                                        "Content-Encoding: gzip\r\nContent-Length: 1000\r\n\r\n");
  EXPECT_EQ(answer.status, 415);
  EXPECT_EQ(answer.error["code"], "unsupported_content_encoding");
}

TEST_F(HttpEdgeTest, ARequestRefusedFromItsHeadIsAnsweredWithoutItsBody) {
  Serve();
  const std::string gigabyte = "Content-Length: 1073741824\r\n\r\n";
  RawAnswer unknown = SendAndExpectClose("POST /nonexistent HTTP/1.1\r\nHost: x\r\n" + gigabyte);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.error["code"], "route_not_found");
  RawAnswer no_key = SendAndExpectClose("POST /v1/payers HTTP/1.1\r\nHost: x\r\n" + gigabyte);
  EXPECT_EQ(no_key.status, 401);
  EXPECT_EQ(no_key.error["code"], "unauthorized");
  RawAnswer wrong_key = SendAndExpectClose(
      "POST /v1/payers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_wrong\r\n" + gigabyte);
  EXPECT_EQ(wrong_key.status, 401);
  RawAnswer wrong_method = SendAndExpectClose("PUT /v1/plans HTTP/1.1\r\nHost: x\r\n" + gigabyte);
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_THAT(wrong_method.head, ::testing::HasSubstr("Allow: GET"));
}

TEST_F(HttpEdgeTest, ARefusalWithoutABodyKeepsTheConnection) {
  Serve();
  RawConnection connection(server_->port());
  connection.Send("GET /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ParseAnswer(connection.Read(kPatience)).status, 404);
  connection.Send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  RawAnswer head = ParseAnswer(connection.Read(kPatience, false));
  EXPECT_EQ(head.status, 200);
  connection.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ParseAnswer(connection.Read(kPatience)).status, 200);
  EXPECT_FALSE(connection.closed());
}

TEST_F(HttpEdgeTest, AHeadThatDripsPastItsDeadlineIsCutOff) {
  ServeWithShortDeadlines();
  RawConnection connection(server_->port());
  connection.Send("GET /v1/plans HTTP/1.1\r\n");
  DripUntilClosed(connection, "X");
  EXPECT_TRUE(connection.closed());
}

TEST_F(HttpEdgeTest, ABodyThatDripsPastItsDeadlineIsCutOff) {
  ServeWithShortDeadlines();
  RawConnection connection(server_->port());
  connection.Send("POST /v1/payers HTTP/1.1\r\nHost: x\r\n" + AuthLine() +
                  "Content-Length: 100000\r\n\r\n");
  DripUntilClosed(connection, " ");
  EXPECT_TRUE(connection.closed());
}

TEST_F(HttpEdgeTest, AnIdleKeptAliveConnectionIsClosed) {
  ServeWithShortDeadlines();
  RawConnection connection(server_->port());
  connection.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ParseAnswer(connection.Read(kPatience)).status, 200);
  connection.ReadUntilClosed();
  EXPECT_TRUE(connection.closed());
}

TEST_F(HttpEdgeTest, AWellBehavedClientIsAnsweredWhileSlowAndIdleConnectionsAreHeld) {
  Serve();
  const std::string payer = NewPayer("steady");
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 300; ++i) {
    held.push_back(std::make_unique<RawConnection>(server_->port(), "127.0.0.2"));
    ASSERT_TRUE(held.back()->connected());
    if (i % 2 == 1) held.back()->Send("GET /v1/plans HTTP/1.1\r\nHost: x\r\n");  // never ends
  }
  auto client = server_->Client();
  auto plans = client.Get("/v1/plans");
  ASSERT_TRUE(plans);
  EXPECT_EQ(plans->status, 200);
  auto entitlement = client.Get("/v1/payers/" + payer + "/entitlements/projects", Auth());
  ASSERT_TRUE(entitlement);
  EXPECT_EQ(entitlement->status, 200) << entitlement->body;
}

TEST_F(HttpEdgeTest, WritesWaitingOnTheDatabaseDoNotHoldUpReads) {
  Serve();
  // Another process holds the database's write lock, so every write queues behind it (up to the
  // store's busy timeout of 5 s, after which it fails).
  SQLite::Database other(db_path(), SQLite::OPEN_READWRITE);
  std::optional<SQLite::Transaction> hold;
  hold.emplace(other, SQLite::TransactionBehavior::EXCLUSIVE);
  std::atomic<int> writes_done = 0;
  std::vector<std::future<void>> writes;
  for (int i = 0; i < 4; ++i) {  // more than there are polling threads
    writes.push_back(std::async(std::launch::async, [&, i] {
      auto client = server_->Client();
      auto created = client.Post("/v1/payers", Auth(),
                                 json{{"external_id", "waiting-" + std::to_string(i)},
                                      {"type", "user"},
                                      {"email", "waiting@example.com"}}
                                     .dump(),
                                 "application/json");
      // A write refused before it reaches the database would prove nothing.
      EXPECT_TRUE(created && created->status == 200);
      ++writes_done;
    }));
  }
  auto plans = server_->Client().Get("/v1/plans");
  ASSERT_TRUE(plans);
  EXPECT_EQ(plans->status, 200);
  // Answered while the writes still wait: none can end before the lock goes or times out.
  EXPECT_EQ(writes_done, 0);
  hold.reset();  // rolled back: the writes go on
  for (auto& write : writes) write.get();
}

TEST_F(HttpEdgeTest, BytesThatAreNotUtf8Get400) {
  Serve();
  auto client = server_->Client();
  auto path = client.Get("/v1/payers/%FF", Auth());
  ASSERT_TRUE(path);
  EXPECT_EQ(path->status, 400);
  EXPECT_EQ(Json(path)["error"]["code"], "invalid_path");
  auto query = client.Get("/v1/plans?payer_type=%C3", Auth());
  ASSERT_TRUE(query);
  EXPECT_EQ(query->status, 400);
  auto body = client.Post("/v1/payers", Auth(), "{\"external_id\": \"\xff\"}", "application/json");
  ASSERT_TRUE(body);
  EXPECT_EQ(body->status, 400);
  EXPECT_EQ(Json(body)["error"]["code"], "invalid_json");
}

TEST_F(HttpEdgeTest, NumbersOutOfRangeGet400) {
  Serve();
  ASSERT_EQ(Call("POST", "/v1/test_clocks", {{"frozen_time", 1}}).status, 200);
  auto client = server_->Client();
  for (const char* number : {"1e400", "-1e400", "99999999999999999999999"}) {
    auto answer = client.Post("/v1/test_clocks", Auth(),
                              std::string("{\"frozen_time\": ") + number + "}", "application/json");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 400) << number << ": " << answer->body;
  }
}

TEST_F(HttpEdgeTest, ABodyWithADuplicateKeyIsRefusedNamingTheKey) {
  Serve();
  auto answer = server_->Client().Post(
      "/v1/payers", Auth(), R"({"external_id": "a", "type": "user", "external_id": "b"})",
      "application/json");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);
  EXPECT_EQ(Json(answer)["error"]["code"], "duplicate_key");
  EXPECT_EQ(Json(answer)["error"]["param"], "external_id");
}

TEST_F(HttpEdgeTest, TheAuthSchemeIsCaseInsensitive) {
  Serve();
  for (const char* scheme : {"bearer ", "BEARER ", "Bearer "}) {
    auto answer = server_->Client().Post("/v1/plans/reload",
                                         {{"Authorization", scheme + std::string(kTestSecretKey)}},
                                         "", "application/json");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 200) << scheme;
  }
}

TEST_F(HttpEdgeTest, ASecondServerCannotTakeTheSameAddress) {
  RecurServer& first = Serve();
  TempDir other;
  CommandResult second = RunRecur({"serve", "--addr", "127.0.0.1:" + std::to_string(first.port()),
                                   "--db", other / "recur.db", "--plans", plans_dir()},
                                  ".", {{"RECUR_SECRET_KEY", kTestSecretKey}});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_THAT(second.err, ::testing::HasSubstr(std::to_string(first.port())));
  auto still = first.Client().Get("/healthz");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
}

}  // namespace
}  // namespace recur::testing::http_edge_test
