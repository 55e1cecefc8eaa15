// The test clock list through the real `recur serve` (GET /v1/test_clocks): every clock, a
// deleted one included, newest first, in pages that follow one another, and a bad cursor refused.
#include <chrono>
#include <thread>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::test_clock_list_test {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

class TestClockListTest : public ServeTest {};

TEST_F(TestClockListTest, EveryClockNewestFirstInPages) {
  Serve();
  Answer empty = Call("GET", "/v1/test_clocks");
  ASSERT_EQ(empty.status, 200) << empty.body.dump();
  EXPECT_EQ(empty.body, json({{"object", "list"}, {"data", json::array()}, {"has_more", false}}));

  std::vector<std::string> newest_first;
  for (int i = 0; i < 3; ++i) {
    // Made a few milliseconds apart, so that their created_at tells their order (one
    // millisecond's clocks are ordered by id).
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    newest_first.insert(newest_first.begin(), NewClock(1'706'659'200'000 + i));
  }
  ASSERT_EQ(Call("DELETE", "/v1/test_clocks/" + newest_first[1]).status, 200);

  Answer all = Call("GET", "/v1/test_clocks");
  ASSERT_EQ(all.status, 200) << all.body.dump();
  std::vector<std::string> ids;
  for (const json& clock : all.body["data"]) ids.push_back(clock["id"]);
  EXPECT_EQ(ids, newest_first);
  // Each entry as GET /v1/test_clocks/{id} answers it; the deleted one says so.
  for (const json& clock : all.body["data"]) {
    EXPECT_EQ(clock, Call("GET", "/v1/test_clocks/" + clock["id"].get<std::string>()).body);
  }
  EXPECT_EQ(all.body["data"][1]["status"], "deleted");

  Answer first = Call("GET", "/v1/test_clocks?limit=2");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body["has_more"], true);
  ASSERT_EQ(first.body["data"].size(), 2u);
  Answer rest = Call("GET", "/v1/test_clocks?limit=2&starting_after=" +
                                first.body["data"][1]["id"].get<std::string>());
  ASSERT_EQ(rest.status, 200);
  EXPECT_EQ(rest.body["has_more"], false);
  ASSERT_EQ(rest.body["data"].size(), 1u);
  EXPECT_EQ(rest.body["data"][0]["id"], newest_first[2]);
}

TEST_F(TestClockListTest, AnUnknownCursorOrParameterIsRefused) {
  Serve();
  NewClock(1'706'659'200'000);
  Answer cursor = Call("GET", "/v1/test_clocks?starting_after=clock_nothing");
  EXPECT_EQ(cursor.status, 400);
  EXPECT_EQ(cursor.body["error"]["code"], "invalid_parameter");
  EXPECT_EQ(cursor.body["error"]["param"], "starting_after");
  Answer typo = Call("GET", "/v1/test_clocks?limt=2");
  EXPECT_EQ(typo.status, 400);
  EXPECT_EQ(typo.body["error"]["code"], "unknown_parameter");
  auto keyless = server_->Client().Get("/v1/test_clocks");
  ASSERT_TRUE(keyless);
  EXPECT_EQ(keyless->status, 401);
}

}  // namespace
}  // namespace recur::testing::test_clock_list_test
