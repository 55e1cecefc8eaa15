// IdempotentRequests on two nodes sharing one PostgreSQL database: two PostgresStores on one
// temporary database of the test cluster, each with the IdempotentRequests of its own server
// instance. A handler's change is a new payer stored through its node, as a route's would be.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "base/ids.h"
#include "http/api_error.h"
#include "http/idempotent_request.h"
#include "store/postgres/postgres_store.h"
#include "tests/support/new_payer.h"
#include "tests/support/temporary_postgres.h"
#include "tests/support/wait.h"

namespace recur::idempotent_request_nodes_test {
namespace {

using std::chrono::hours;

const Instant kT0 = FromUnixMillis(1'700'000'000'000);

const ApiRequest::QueryParams kNoQuery;

ApiRequest Post(std::string_view body) {
  return {"POST", "/v1/things", {}, kNoQuery, body, "127.0.0.1", ""};
}

class IdempotentRequestsOnTwoNodesTest : public ::testing::Test {
 protected:
  struct Node {
    std::string name;
    std::unique_ptr<PostgresStore> store;
    std::unique_ptr<IdempotentRequests> requests;
  };

  void SetUp() override {
    ASSERT_TRUE(database_.ok()) << database_.error();
    for (Node* node : {&a_, &b_}) {
      auto opened = PostgresStore::Open(database_.settings(), ids_, kT0);
      ASSERT_TRUE(opened) << opened.error().message;
      node->store = std::move(*opened);
      IdempotencyOptions options;
      options.store = node->store.get();
      options.instance_id = node->name;
      options.claim_lease = hours(1);  // lapses only when a test makes it
      node->requests = std::make_unique<IdempotentRequests>(std::move(options), clock_);
    }
  }

  // The handler of a keyed request on `node`: stores a payer named after the node and answers
  // 201 with its id; a change the store refuses answers as the API would.
  std::function<ApiResponse()> MakePayer(Node& node) {
    return [this, &node] {
      const Account account = NewPayerAccount(ids_, "user_from_" + node.name, kT0);
      if (Status saved = node.store->SaveTransition(nullptr, account, {}, {}, {}); !saved) {
        return ErrorResponse(saved.error());
      }
      return ApiResponse{201, account.payer.id};
    };
  }

  // Sends the keyed request to `node` until it is no longer in progress (bounded), as a client
  // retries a 409; the answer it gets then.
  ApiResponse SendUntilAnswered(Node& node, const std::function<ApiResponse()>& run) {
    ApiResponse answer;
    EXPECT_TRUE(testing::WaitUntil(node.name + " answering past 409", [&] {
      answer = node.requests->Handle("k", "/v1/things", Post("{}"), run);
      return answer.status != 409;
    })) << answer.body;
    return answer;
  }

  int PayersMade() {
    int made = 0;
    for (const char* name : {"user_from_node_a", "user_from_node_b"}) {
      auto found = a_.store->FindPayerId(PayerType::kUser, name);
      EXPECT_TRUE(found) << found.error().message;
      if (found && found->has_value()) ++made;
    }
    return made;
  }

  // Ends node A's lease at once, as a pause past it would (its renewals paused with it).
  void LapseTheLeaseOfNodeA() {
    auto connection = PgConnection::Open(database_.settings().connection);
    ASSERT_TRUE(connection) << connection.error().message;
    ASSERT_TRUE((*connection)
                    ->Script({"ending a lease"},
                             "UPDATE idempotency_keys SET lease_expires_at = 0 "
                             "WHERE claimed_by = 'node_a'"));
  }

  TemporaryPostgresDatabase database_;  // outlives the nodes
  SeededIdGenerator ids_{13};
  ManualClock clock_{kT0};
  Node a_{"node_a", nullptr, nullptr};
  Node b_{"node_b", nullptr, nullptr};
};

TEST_F(IdempotentRequestsOnTwoNodesTest, TheSameKeyedRequestOnBothNodesAtOnceMakesOneChange) {
  std::promise<void> start;
  std::shared_future<void> started = start.get_future().share();
  auto send = [&](Node& node) {
    return std::async(std::launch::async, [&, started] {
      started.wait();
      return SendUntilAnswered(node, MakePayer(node));
    });
  };
  auto on_a = send(a_);
  auto on_b = send(b_);
  start.set_value();
  const ApiResponse answer_a = on_a.get();
  const ApiResponse answer_b = on_b.get();
  EXPECT_EQ(answer_a.status, 201) << answer_a.body;
  EXPECT_EQ(answer_b.status, 201) << answer_b.body;
  EXPECT_EQ(answer_a.body, answer_b.body);
  EXPECT_EQ(PayersMade(), 1);
}

TEST_F(IdempotentRequestsOnTwoNodesTest, ARequestStillHandledOnOneNodeIsInProgressOnTheOther) {
  std::promise<void> a_handling;
  std::promise<void> b_answered;
  auto on_a = std::async(std::launch::async, [&] {
    return a_.requests->Handle("k", "/v1/things", Post("{}"), [&] {
      a_handling.set_value();
      b_answered.get_future().wait();  // B is asked while A still handles the request
      return MakePayer(a_)();
    });
  });
  a_handling.get_future().wait();
  const ApiResponse while_handled =
      b_.requests->Handle("k", "/v1/things", Post("{}"), MakePayer(b_));
  b_answered.set_value();
  EXPECT_EQ(while_handled.status, 409);
  EXPECT_NE(while_handled.body.find("idempotency_key_in_progress"), std::string::npos);
  const ApiResponse answer_a = on_a.get();
  EXPECT_EQ(answer_a.status, 201);
  const ApiResponse retried = SendUntilAnswered(b_, MakePayer(b_));
  EXPECT_EQ(retried.status, 201);
  EXPECT_EQ(retried.body, answer_a.body);
  EXPECT_EQ(PayersMade(), 1);
}

TEST_F(IdempotentRequestsOnTwoNodesTest, ANodePausedPastItsLeaseIsRefusedItsChangeAndAnswersLater) {
  std::promise<void> a_handling;
  std::promise<void> b_took_over;
  auto on_a = std::async(std::launch::async, [&] {
    return a_.requests->Handle("k", "/v1/things", Post("{}"), [&] {
      a_handling.set_value();
      b_took_over.get_future().wait();  // A is "paused" here, past its lease
      return MakePayer(a_)();
    });
  });
  a_handling.get_future().wait();
  LapseTheLeaseOfNodeA();
  const ApiResponse answer_b = b_.requests->Handle("k", "/v1/things", Post("{}"), MakePayer(b_));
  b_took_over.set_value();
  EXPECT_EQ(answer_b.status, 201) << answer_b.body;
  const ApiResponse answer_a = on_a.get();
  EXPECT_EQ(answer_a.status, 503);
  EXPECT_NE(answer_a.body.find("idempotency_claim_lapsed"), std::string::npos) << answer_a.body;
  EXPECT_EQ(PayersMade(), 1);
  // A's client retries on A, and gets B's answer.
  const ApiResponse retried = a_.requests->Handle("k", "/v1/things", Post("{}"), MakePayer(a_));
  EXPECT_EQ(retried.status, 201);
  EXPECT_EQ(retried.body, answer_b.body);
}

}  // namespace
}  // namespace recur::idempotent_request_nodes_test
