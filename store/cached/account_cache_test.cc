#include "store/cached/account_cache.h"

#include <gtest/gtest.h>

namespace recur::account_cache_test {
namespace {

Account AccountOf(const std::string& payer_id, std::int64_t version) {
  Account account;
  account.payer.id = payer_id;
  account.payer.version = version;
  return account;
}

TEST(AccountCache, KeepsWhatWasOfferedUntilThePayerChanges) {
  AccountCache cache(100);
  EXPECT_EQ(cache.Find("cpayer_1"), std::nullopt);
  cache.Offer(AccountOf("cpayer_1", 1), cache.BeforeLoad("cpayer_1"));
  ASSERT_TRUE(cache.Find("cpayer_1"));
  EXPECT_EQ(cache.Find("cpayer_1")->payer.version, 1);
  cache.Changed("cpayer_1");
  EXPECT_EQ(cache.Find("cpayer_1"), std::nullopt);
}

TEST(AccountCache, RefusesAnAccountReadBeforeAChangeWasReported) {
  AccountCache cache(100);
  // A read takes its ticket and reads version 1; a change to version 2 is stored and reported
  // before the read offers what it read.
  const AccountCache::Ticket before_the_change = cache.BeforeLoad("cpayer_1");
  cache.Changed("cpayer_1");
  cache.Offer(AccountOf("cpayer_1", 1), before_the_change);
  EXPECT_EQ(cache.Find("cpayer_1"), std::nullopt);
  // A read that starts after the report is kept.
  cache.Offer(AccountOf("cpayer_1", 2), cache.BeforeLoad("cpayer_1"));
  ASSERT_TRUE(cache.Find("cpayer_1"));
  EXPECT_EQ(cache.Find("cpayer_1")->payer.version, 2);
}

TEST(AccountCache, KeepsAStoredAccountInPlaceOfTheOldOne) {
  AccountCache cache(100);
  cache.Offer(AccountOf("cpayer_1", 1), cache.BeforeLoad("cpayer_1"));
  const AccountCache::Ticket before_the_change = cache.BeforeLoad("cpayer_1");
  cache.Stored(AccountOf("cpayer_1", 2));
  ASSERT_TRUE(cache.Find("cpayer_1"));
  EXPECT_EQ(cache.Find("cpayer_1")->payer.version, 2);
  // A read that took its ticket before the change cannot put version 1 back.
  cache.Offer(AccountOf("cpayer_1", 1), before_the_change);
  EXPECT_EQ(cache.Find("cpayer_1")->payer.version, 2);
  // Nor can a report of an older change that arrives late.
  cache.Stored(AccountOf("cpayer_1", 3));
  cache.Stored(AccountOf("cpayer_1", 2));
  EXPECT_EQ(cache.Find("cpayer_1")->payer.version, 3);
}

TEST(AccountCache, HoldsAboutItsCapacity) {
  AccountCache cache(64);
  for (int i = 0; i < 1000; ++i) {
    const std::string id = "cpayer_" + std::to_string(i);
    cache.Offer(AccountOf(id, 1), cache.BeforeLoad(id));
  }
  int held = 0;
  for (int i = 0; i < 1000; ++i) held += cache.Find("cpayer_" + std::to_string(i)) ? 1 : 0;
  EXPECT_LE(held, 64);
  EXPECT_GT(held, 0);
  EXPECT_TRUE(cache.Find("cpayer_999")) << "the latest offer is kept";
}

}  // namespace
}  // namespace recur::account_cache_test
