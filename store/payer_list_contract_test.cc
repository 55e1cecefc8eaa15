// AccountStore::ListPayerIds (account_store.h, payer_search.h), run on every backend: SQLite on
// a temporary file, PostgreSQL on a temporary database of the test cluster, and memory. Newest
// first by creation, pages that follow one another, and what a query matches: a payer id
// exactly, an external id exactly or by prefix, an email by prefix without regard to ASCII case.
// The rule's pure parts (the prefix ranges the SQL stores search) are tested here too.
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "base/ids.h"
#include "store/memory/memory_account_store.h"
#include "store/payer_search.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/new_payer.h"
#include "tests/support/opened_store.h"
#include "tests/support/store_backends.h"
#include "tests/support/temporary_database.h"
#include "tests/support/temporary_postgres.h"

namespace recur::payer_list_contract_test {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

using Backend = StoreBackend;

const Instant kT0 = FromUnixMillis(1'700'000'000'000);

class PayerListContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kMemory) {
      memory_ = std::make_unique<MemoryAccountStore>();
      store_ = memory_.get();
      return;
    }
    ASSERT_TRUE(opened_.Open(GetParam(), ids_, kT0));
    store_ = &opened_.store();
  }

  // A new payer made at `created_at`; its id.
  std::string Add(const std::string& external_id, const std::string& email, Instant created_at) {
    Account account = NewPayerAccount(ids_, external_id, created_at);
    account.payer.email = email;
    EXPECT_TRUE(store_->SaveTransition(nullptr, account, {}, {}));
    return account.payer.id;
  }

  std::vector<std::string> Ids(const std::string& query, int limit = 100,
                               const std::string& after = "") {
    auto page = store_->ListPayerIds(query, {limit, after});
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->data : std::vector<std::string>();
  }

  SeededIdGenerator ids_{17};
  OpenedStore opened_;
  std::unique_ptr<MemoryAccountStore> memory_;
  AccountStore* store_ = nullptr;
};

TEST_P(PayerListContractTest, AllPayersNewestFirstInPagesThatFollowOneAnother) {
  std::vector<std::string> newest_first;
  for (int i = 0; i < 5; ++i) {
    newest_first.insert(newest_first.begin(),
                        Add("user_" + std::to_string(i), "u" + std::to_string(i) + "@example.com",
                            kT0 + seconds(i)));
  }
  EXPECT_THAT(Ids(""), ElementsAreArray(newest_first));
  auto first = store_->ListPayerIds("", {2, ""});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_THAT(first->data, ElementsAre(newest_first[0], newest_first[1]));
  EXPECT_TRUE(first->has_more);
  auto second = store_->ListPayerIds("", {2, first->data.back()});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_THAT(second->data, ElementsAre(newest_first[2], newest_first[3]));
  EXPECT_TRUE(second->has_more);
  auto last = store_->ListPayerIds("", {2, second->data.back()});
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_THAT(last->data, ElementsAre(newest_first[4]));
  EXPECT_FALSE(last->has_more);
}

TEST_P(PayerListContractTest, PayersMadeAtOneInstantAreOrderedByIdTheGreaterFirst) {
  std::vector<std::string> ids = {Add("a", "a@x.com", kT0), Add("b", "b@x.com", kT0),
                                  Add("c", "c@x.com", kT0)};
  std::ranges::sort(ids, std::greater<>());
  EXPECT_THAT(Ids(""), ElementsAreArray(ids));
  EXPECT_THAT(Ids("", 100, ids[0]), ElementsAre(ids[1], ids[2]));
}

TEST_P(PayerListContractTest, AQueryMatchesAnIdExactlyAndExternalIdsAndEmailsByPrefix) {
  const std::string alice = Add("user_alice", "Alice.Smith@Example.com", kT0);
  const std::string alicia = Add("user_alicia", "alicia@example.org", kT0 + seconds(1));
  const std::string bob = Add("org_bob", "bob@example.com", kT0 + seconds(2));
  EXPECT_THAT(Ids(alice), ElementsAre(alice));
  EXPECT_THAT(Ids(alice.substr(0, alice.size() - 1)), IsEmpty());  // an id only exactly
  EXPECT_THAT(Ids("user_alice"), ElementsAre(alice));
  EXPECT_THAT(Ids("user_ali"), ElementsAre(alicia, alice));
  EXPECT_THAT(Ids("user_"), ElementsAre(alicia, alice));
  EXPECT_THAT(Ids("USER_ALI"), IsEmpty());  // external ids keep their case
  EXPECT_THAT(Ids("alice.smith@example.com"), ElementsAre(alice));
  EXPECT_THAT(Ids("ALICE.S"), ElementsAre(alice));
  EXPECT_THAT(Ids("ali"), ElementsAre(alicia, alice));
  EXPECT_THAT(Ids("bob@"), ElementsAre(bob));
  EXPECT_THAT(Ids("example.com"), IsEmpty());  // a prefix, not anywhere in the text
  EXPECT_THAT(Ids("%"), IsEmpty());            // no pattern characters
  EXPECT_THAT(Ids("_"), IsEmpty());
  EXPECT_THAT(Ids("carol"), IsEmpty());
}

TEST_P(PayerListContractTest, AQuerysMatchesComeInPagesToo) {
  std::vector<std::string> newest_first;
  for (int i = 0; i < 4; ++i) {
    newest_first.insert(newest_first.begin(),
                        Add("team_" + std::to_string(i), "t" + std::to_string(i) + "@example.com",
                            kT0 + seconds(i)));
    Add("other_" + std::to_string(i), "o" + std::to_string(i) + "@example.com", kT0 + seconds(i));
  }
  auto first = store_->ListPayerIds("team_", {3, ""});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_THAT(first->data, ElementsAre(newest_first[0], newest_first[1], newest_first[2]));
  EXPECT_TRUE(first->has_more);
  auto rest = store_->ListPayerIds("team_", {3, first->data.back()});
  ASSERT_TRUE(rest) << rest.error().message;
  EXPECT_THAT(rest->data, ElementsAre(newest_first[3]));
  EXPECT_FALSE(rest->has_more);
}

TEST_P(PayerListContractTest, PrefixesOfCharactersBeyondAsciiMatchAsTheyAre) {
  const std::string zoe = Add("usér_zoë", "zoë@example.com", kT0);
  const std::string top = Add("user_\U0010FFFF\U0010FFFF", "top@example.com", kT0 + seconds(1));
  EXPECT_THAT(Ids("usé"), ElementsAre(zoe));
  EXPECT_THAT(Ids("zoë@"), ElementsAre(zoe));
  EXPECT_THAT(Ids("user_\U0010FFFF"), ElementsAre(top));
}

TEST_P(PayerListContractTest, AnUnknownStartingAfterIsAnError) {
  Add("user_1", "u1@example.com", kT0);
  auto page = store_->ListPayerIds("", {10, "cpayer_unknown"});
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, "invalid_parameter");
  EXPECT_EQ(page.error().param, "starting_after");
}

INSTANTIATE_TEST_SUITE_P(Backends, PayerListContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kMemory, Backend::kPostgres),
                         StoreBackendName);

TEST(PrefixRangeTest, BoundsExactlyTheStringsThatStartWithThePrefix) {
  EXPECT_EQ(PrefixRangeOf("abc").from, "abc");
  EXPECT_EQ(PrefixRangeOf("abc").to, "abd");
  EXPECT_EQ(PrefixRangeOf("a~").to, "a\x7f");
  EXPECT_EQ(PrefixRangeOf("a\x7f").to, "a\u0080");
  EXPECT_EQ(PrefixRangeOf("\u00e9").to, "\u00ea");
  EXPECT_EQ(PrefixRangeOf("\uffff").to, "\U00010000");
  EXPECT_EQ(PrefixRangeOf("\ud7ff").to, "\ue000");  // the surrogates skipped
  EXPECT_EQ(PrefixRangeOf("a\U0010FFFF").to, "b");
  EXPECT_EQ(PrefixRangeOf("\U0010FFFF\U0010FFFF").to, std::nullopt);
}

TEST(PayerMatchesQueryTest, FoldsOnlyTheEmailsAsciiLetters) {
  Payer payer;
  payer.id = "cpayer_1";
  payer.external_id = "Ext_1";
  payer.email = "Zoë@Example.com";
  EXPECT_TRUE(PayerMatchesQuery(payer, "cpayer_1"));
  EXPECT_FALSE(PayerMatchesQuery(payer, "cpayer_"));
  EXPECT_TRUE(PayerMatchesQuery(payer, "Ext"));
  EXPECT_FALSE(PayerMatchesQuery(payer, "ext"));
  EXPECT_TRUE(PayerMatchesQuery(payer, "zoë@example"));
  EXPECT_TRUE(PayerMatchesQuery(payer, "ZOë"));
  EXPECT_FALSE(PayerMatchesQuery(payer, "ZOË"));  // Ë is not an ASCII letter
  EXPECT_EQ(AsciiLowercase("AbC-Ë"), "abc-Ë");
}

}  // namespace
}  // namespace recur::payer_list_contract_test
