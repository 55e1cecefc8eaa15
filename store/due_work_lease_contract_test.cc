// The lease half of the AccountStore contract (account_store.h, "Leases on due work"), on the
// backends several nodes share: PostgreSQL, each node a PostgresStore of its own on one
// temporary database of the test cluster. The half every backend keeps alike (a store reading
// its own pieces again, completing them with the lease it got) is in
// account_store_contract_test.cc. The nodes' leases are long, and a test makes them lapse (a
// node paused past its lease) by moving their end to the database's now; the one test of a
// lease lapsing by itself waits for it, and asserts nothing about when.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "store/postgres/postgres_store.h"
#include "tests/support/temporary_postgres.h"

namespace recur::due_work_lease_contract_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr auto kDay = std::chrono::hours(24);

std::vector<std::int64_t> WorkIds(const std::vector<DueWork>& work) {
  std::vector<std::int64_t> ids;
  for (const DueWork& piece : work) ids.push_back(piece.id);
  return ids;
}

class DueWorkLeaseContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(database_.ok()) << database_.error();
    node_a_ = OpenNode(ids_a_, kLongLease);
    node_b_ = OpenNode(ids_b_, kLongLease);
    ASSERT_NE(node_a_, nullptr);
    ASSERT_NE(node_b_, nullptr);
  }

  std::unique_ptr<PostgresStore> OpenNode(IdGenerator& ids, std::chrono::milliseconds lease) {
    auto opened = PostgresStore::Open(database_.settings(), ids, t0_, {.due_work_lease = lease});
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  // A payer with nothing but its ids, and `pieces` pieces of work due a day apart from t0_ + 1d.
  Account PayerWithWork(const std::string& external_id, int pieces) {
    Account account;
    account.payer.id = "cpayer_" + external_id;
    account.payer.external_id = external_id;
    account.payer.subscription_id = "csub_" + external_id;
    account.payer.created_at = t0_;
    std::vector<DueWork> work(static_cast<std::size_t>(pieces));
    for (std::size_t i = 0; i < work.size(); ++i) {
      work[i].payer_id = account.payer.id;
      work[i].item_id = "csub_item_" + external_id;
      work[i].due_at = work[i].reference = t0_ + static_cast<int>(i + 1) * kDay;
    }
    EXPECT_TRUE(node_a_->SaveTransition(nullptr, account, {}, work, {}));
    account.payer.version = 1;
    return account;
  }

  // Reads due work on both nodes at once, `readers_per_node` threads each, each reading `rounds`
  // times at most `batch` pieces due by t0_ + 10d. What reader r read is at r: node A's readers
  // at even r, node B's at odd r.
  std::vector<std::vector<DueWork>> ReadAtOnce(int readers_per_node, int rounds, int batch) {
    std::vector<std::vector<DueWork>> read(2 * static_cast<std::size_t>(readers_per_node));
    std::vector<std::thread> readers;
    for (std::size_t r = 0; r < read.size(); ++r) {
      readers.emplace_back([&, r] {
        PostgresStore& node = r % 2 == 0 ? *node_a_ : *node_b_;
        for (int round = 0; round < rounds; ++round) {
          auto due = node.DueWorkUntil(t0_ + 10 * kDay, std::nullopt, batch);
          ASSERT_TRUE(due) << due.error().message;
          read[r].insert(read[r].end(), due->begin(), due->end());
        }
      });
    }
    for (std::thread& reader : readers) reader.join();
    return read;
  }

  // Completes `pieces` on `node` in a change of the payer that stores one event.
  Status Complete(PostgresStore& node, const std::string& payer_id,
                  const std::vector<DueWork>& pieces) {
    const Account before = *node.LoadAccount(payer_id).value();
    const std::string event_id = "evt_" + std::to_string(++events_);
    return node.SaveTransition(
        &before, before,
        {{event_id, "test.done", payer_id, t0_, R"({"id":")" + event_id + R"("})"}}, {}, pieces);
  }

  PgResult Query(const std::string& sql) {
    auto connection = PgConnection::Open(database_.settings().connection);
    if (!connection) throw std::runtime_error(connection.error().message);
    return Required((*connection)->Exec({"querying the test database"}, sql));
  }
  std::int64_t Count(const std::string& sql) { return Query(sql).Int64(0, 0); }

  // Every lease handed out so far lapses now, by the database's clock: as if their holders had
  // been paused for a lease.
  void LapseLeases() {
    (void)Query(
        "UPDATE due_work SET lease_until = (extract(epoch FROM clock_timestamp()) * 1000)::bigint "
        "WHERE lease_until IS NOT NULL");
  }

  static constexpr std::chrono::milliseconds kLongLease = std::chrono::minutes(10);
  TemporaryPostgresDatabase database_;
  SeededIdGenerator ids_a_{1};
  SeededIdGenerator ids_b_{2};
  const Instant t0_ = FromUnixMillis(1'700'000'000'000);
  std::unique_ptr<PostgresStore> node_a_;
  std::unique_ptr<PostgresStore> node_b_;
  int events_ = 0;
};

TEST_F(DueWorkLeaseContractTest, EachNodeHasAnIdOfItsOwn) {
  EXPECT_NE(node_a_->node_id(), node_b_->node_id());
  EXPECT_FALSE(node_a_->node_id().empty());
}

TEST_F(DueWorkLeaseContractTest, NodesClaimingAtOnceGetDisjointPieces) {
  // One piece per payer: a payer's work goes to one node at a time (the next test), so pieces
  // of many payers are what several nodes share.
  constexpr int kPayers = 200, kPiecesEach = 1, kReadersPerNode = 3, kBatch = 40;
  for (int p = 0; p < kPayers; ++p) PayerWithWork("user_" + std::to_string(p), kPiecesEach);

  // Every reader of both nodes reads at once. A node's readers together take at most 120 of the
  // 200 pieces, so whichever node reads first leaves the other some.
  const std::vector<std::vector<DueWork>> read = ReadAtOnce(kReadersPerNode, 1, kBatch);

  std::set<std::int64_t> by_a, by_b;
  for (std::size_t r = 0; r < read.size(); ++r) {
    for (const DueWork& piece : read[r]) (r % 2 == 0 ? by_a : by_b).insert(piece.id);
  }
  EXPECT_FALSE(by_a.empty());
  EXPECT_FALSE(by_b.empty());
  std::vector<std::int64_t> both;
  std::ranges::set_intersection(by_a, by_b, std::back_inserter(both));
  EXPECT_THAT(both, IsEmpty());

  // Read again, each node gets what it holds (and what nobody held), never the other's.
  const std::vector<DueWork> again_a =
      node_a_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, -1).value();
  for (const DueWork& piece : again_a) EXPECT_FALSE(by_b.contains(piece.id)) << piece.id;
  const std::vector<DueWork> again_b =
      node_b_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, -1).value();
  for (const DueWork& piece : again_b) EXPECT_FALSE(by_a.contains(piece.id)) << piece.id;
  EXPECT_EQ(again_a.size() + again_b.size(), static_cast<std::size_t>(kPayers * kPiecesEach));
}

TEST_F(DueWorkLeaseContractTest, NodesClaimingAtOnceNeverSplitAPayersWork) {
  constexpr int kPayers = 30, kPiecesEach = 4, kReadersPerNode = 3, kBatch = 7;
  for (int p = 0; p < kPayers; ++p) PayerWithWork("user_" + std::to_string(p), kPiecesEach);

  // Small batches cut payers' work in the middle: a payer may be left with pieces after those a
  // node took, which no other node may take before the earlier ones are done.
  const std::vector<std::vector<DueWork>> read = ReadAtOnce(kReadersPerNode, 3, kBatch);

  // Each payer's pieces held are its earliest, all held by one node.
  std::map<std::string, std::set<std::int64_t>> held_by_a, held_by_b;
  for (std::size_t r = 0; r < read.size(); ++r) {
    for (const DueWork& piece : read[r]) {
      (r % 2 == 0 ? held_by_a : held_by_b)[piece.payer_id].insert(piece.id);
    }
  }
  for (const auto& [payer, pieces] : held_by_a) {
    EXPECT_FALSE(held_by_b.contains(payer)) << payer << " has work on both nodes";
  }
  for (const auto* held : {&held_by_a, &held_by_b}) {
    for (const auto& [payer, pieces] : *held) {
      const std::int64_t earliest =
          Count("SELECT min(id) FROM due_work WHERE payer_id = '" + payer + "'");
      std::int64_t expected = earliest;
      for (const std::int64_t id : pieces) EXPECT_EQ(id, expected++) << payer;
    }
  }
}

TEST_F(DueWorkLeaseContractTest, ALapsedLeaseIsTakenOverAndOnlyTheNewHolderCompletes) {
  const Account payer = PayerWithWork("user_1", 1);
  const std::vector<DueWork> held_by_a =
      node_a_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
  ASSERT_THAT(WorkIds(held_by_a), ElementsAre(1));
  EXPECT_THAT(node_b_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value(), IsEmpty());

  // Node A pauses past its lease; node B takes the piece over.
  LapseLeases();
  const std::vector<DueWork> held_by_b =
      node_b_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
  ASSERT_THAT(WorkIds(held_by_b), ElementsAre(1));
  EXPECT_NE(held_by_b[0].lease, held_by_a[0].lease);
  EXPECT_THAT(node_a_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value(), IsEmpty());

  // A wakes: its completion is refused whole, and changes nothing.
  auto refused = Complete(*node_a_, payer.payer.id, held_by_a);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kAborted);
  EXPECT_EQ(refused.error().code, "work_lease_lost");
  EXPECT_EQ(node_a_->LoadAccount(payer.payer.id).value()->payer.version, 1);
  EXPECT_THAT(node_a_->ListEvents(payer.payer.id, "", {}).value().data, IsEmpty());
  EXPECT_EQ(Count("SELECT count(*) FROM due_work WHERE done_at IS NOT NULL"), 0);

  // B's commits.
  ASSERT_TRUE(Complete(*node_b_, payer.payer.id, held_by_b));
  EXPECT_THAT(node_a_->ListEvents(payer.payer.id, "", {}).value().data, SizeIs(1));
  EXPECT_THAT(node_a_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value(), IsEmpty());
  EXPECT_THAT(node_b_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value(), IsEmpty());
}

TEST_F(DueWorkLeaseContractTest, ALeaseThatLapsedCompletesNothingEvenWhenNobodyTookItOver) {
  const Account payer = PayerWithWork("user_1", 1);
  const std::vector<DueWork> held =
      node_a_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
  ASSERT_THAT(held, SizeIs(1));
  LapseLeases();
  auto refused = Complete(*node_a_, payer.payer.id, held);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "work_lease_lost");
  EXPECT_EQ(node_a_->LoadAccount(payer.payer.id).value()->payer.version, 1);
}

TEST_F(DueWorkLeaseContractTest, ALeaseGivenBackToTheSameNodeIsANewOne) {
  const Account payer = PayerWithWork("user_1", 1);
  const std::vector<DueWork> first =
      node_a_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
  ASSERT_THAT(first, SizeIs(1));
  // Read again before it lapses: the same lease, extended.
  const std::vector<DueWork> renewed =
      node_a_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
  ASSERT_THAT(renewed, SizeIs(1));
  EXPECT_EQ(renewed[0].lease, first[0].lease);

  // Taken over by B, lapsed there too, and read by A once more: a new lease.
  LapseLeases();
  ASSERT_THAT(node_b_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value(), SizeIs(1));
  LapseLeases();
  const std::vector<DueWork> again =
      node_a_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_NE(again[0].lease, first[0].lease);

  // What A read the first time (a thread of A paused all along) completes nothing; what it read
  // now completes the piece.
  auto refused = Complete(*node_a_, payer.payer.id, first);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "work_lease_lost");
  ASSERT_TRUE(Complete(*node_a_, payer.payer.id, again));
}

TEST_F(DueWorkLeaseContractTest, APausedNodesWorkIsTakenOverOnceItsLeaseLapsesByItself) {
  const Account payer = PayerWithWork("user_1", 3);
  SeededIdGenerator ids_c{3};
  std::unique_ptr<PostgresStore> short_lived = OpenNode(ids_c, std::chrono::milliseconds(200));
  ASSERT_NE(short_lived, nullptr);
  ASSERT_THAT(short_lived->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value(), SizeIs(3));
  // It does nothing more, but stays open: a paused node, alive to the others, whose leases end
  // only when they lapse (a dead node's end at once: postgres_node_liveness_test.cc).

  // Node B waits for the lease to lapse by itself, then takes all of it.
  std::vector<DueWork> taken;
  while (taken.empty()) {
    taken = node_b_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
    if (taken.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_THAT(WorkIds(taken), ElementsAre(1, 2, 3));
  ASSERT_TRUE(Complete(*node_b_, payer.payer.id, taken));
}

TEST_F(DueWorkLeaseContractTest, WorkGivenBackIsTakenAtOnceAndItsOldLeaseCompletesNothing) {
  const Account payer = PayerWithWork("user_1", 2);
  const std::vector<DueWork> held =
      node_a_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
  ASSERT_THAT(WorkIds(held), ElementsAre(1, 2));
  ASSERT_TRUE(node_a_->ReleaseDueWork({held[0]}));
  const std::vector<DueWork> taken =
      node_b_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
  ASSERT_THAT(WorkIds(taken), ElementsAre(1));
  EXPECT_NE(taken[0].lease, held[0].lease);

  // Given back again under the old lease: B keeps it, and A's old lease completes nothing. A,
  // reading again, is handed nothing of the payer, not even the piece it still holds: the
  // payer's earliest piece is B's, and a payer's work applies in due order.
  ASSERT_TRUE(node_a_->ReleaseDueWork({held[0]}));
  EXPECT_THAT(node_a_->DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value(), IsEmpty());
  auto refused = Complete(*node_a_, payer.payer.id, {held[0]});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "work_lease_lost");
  ASSERT_TRUE(Complete(*node_b_, payer.payer.id, taken));
}

TEST_F(DueWorkLeaseContractTest, TestClockWorkIsLeasedAlikeAndLeasesIgnoreTheTestClock) {
  ASSERT_TRUE(node_a_->CreateTestClock({"clock_a", "clock_a", t0_, TestClockStatus::kReady, t0_}));
  Account payer;
  payer.payer.id = "cpayer_on_clock";
  payer.payer.external_id = "on_clock";
  payer.payer.subscription_id = "csub_on_clock";
  payer.payer.test_clock_id = "clock_a";
  payer.payer.created_at = t0_;
  DueWork work;
  work.payer_id = payer.payer.id;
  work.item_id = "csub_item_on_clock";
  work.due_at = work.reference = t0_ + 400 * kDay;  // far in the test clock's future
  ASSERT_TRUE(node_a_->SaveTransition(nullptr, payer, {}, {work}, {}));

  ASSERT_THAT(node_a_->DueWorkUntil(t0_ + 500 * kDay, "clock_a", 10).value(), SizeIs(1));
  EXPECT_THAT(node_b_->DueWorkUntil(t0_ + 500 * kDay, "clock_a", 10).value(), IsEmpty());
  LapseLeases();
  EXPECT_THAT(node_b_->DueWorkUntil(t0_ + 500 * kDay, "clock_a", 10).value(), SizeIs(1));
}

}  // namespace
}  // namespace recur::due_work_lease_contract_test
