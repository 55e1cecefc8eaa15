// CachingAccountStore where other nodes write the same database: a held account is answered
// only once the stored version says it is current.
#include "store/cached/caching_account_store.h"

#include <gtest/gtest.h>

#include "store/memory/memory_account_store.h"

namespace recur::caching_account_store_test {
namespace {

// The versions of the payers in `accounts` (the database other nodes write too), counting
// checks; `failing` makes every check fail as a lost server would.
class VersionsOf final : public StoredVersions {
 public:
  explicit VersionsOf(AccountStore& accounts) : accounts_(accounts) {}
  Result<std::optional<std::int64_t>> PayerVersion(const std::string& payer_id) override {
    ++checks;
    if (failing) return MakeError(ErrorKind::kUnavailable, "unavailable", "server gone");
    auto account = accounts_.LoadAccount(payer_id);
    if (!account) return std::unexpected(account.error());
    if (!*account) return std::nullopt;
    return (*account)->payer.version;
  }
  Result<std::int64_t> CatalogRevision() override { return 0; }

  int checks = 0;
  bool failing = false;

 private:
  AccountStore& accounts_;
};

Account NewAccount(const std::string& payer_id) {
  Account account;
  account.payer.id = payer_id;
  account.payer.external_id = "user_" + payer_id;
  account.payer.email = "u@example.com";
  account.payer.subscription_id = "csub_" + payer_id;
  return account;
}

// Another node's change of the payer: stored straight in the shared database.
void ChangeElsewhere(AccountStore& database, const std::string& payer_id, const std::string& name) {
  Account before = database.LoadAccount(payer_id).value().value();
  Account after = before;
  after.payer.name = name;
  ASSERT_TRUE(database.SaveTransition(&before, after, {}, {}, {}));
}

TEST(CachingAccountStoreOnASharedDatabase, SeesAChangeAnotherNodeStored) {
  MemoryAccountStore database;
  VersionsOf versions(database);
  CachingAccountStore node(database, 100, &versions);
  ASSERT_TRUE(database.SaveTransition(nullptr, NewAccount("cpayer_1"), {}, {}, {}));
  ASSERT_EQ(node.LoadAccount("cpayer_1").value()->payer.name, "");  // held from here
  ChangeElsewhere(database, "cpayer_1", "Ada");
  auto loaded = node.LoadAccount("cpayer_1");
  ASSERT_TRUE(loaded);
  EXPECT_EQ((*loaded)->payer.name, "Ada");
  EXPECT_EQ((*loaded)->payer.version, 2);
}

TEST(CachingAccountStoreOnASharedDatabase, AnswersAnUnchangedAccountAfterItsCheck) {
  MemoryAccountStore database;
  VersionsOf versions(database);
  CachingAccountStore node(database, 100, &versions);
  ASSERT_TRUE(database.SaveTransition(nullptr, NewAccount("cpayer_1"), {}, {}, {}));
  ASSERT_TRUE(node.LoadAccount("cpayer_1"));
  EXPECT_EQ(versions.checks, 0) << "a miss reads the account itself, unchecked";
  ASSERT_TRUE(node.LoadAccount("cpayer_1"));
  EXPECT_EQ(versions.checks, 1);
}

TEST(CachingAccountStoreOnASharedDatabase, NeverAnswersAnAccountItCouldNotCheck) {
  MemoryAccountStore database;
  VersionsOf versions(database);
  CachingAccountStore node(database, 100, &versions);
  ASSERT_TRUE(database.SaveTransition(nullptr, NewAccount("cpayer_1"), {}, {}, {}));
  ASSERT_TRUE(node.LoadAccount("cpayer_1"));
  versions.failing = true;
  auto loaded = node.LoadAccount("cpayer_1");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().kind, ErrorKind::kUnavailable);
}

TEST(CachingAccountStoreAloneOnItsDatabase, AnswersFromMemoryWithoutACheck) {
  MemoryAccountStore database;
  CachingAccountStore node(database, 100);
  ASSERT_TRUE(database.SaveTransition(nullptr, NewAccount("cpayer_1"), {}, {}, {}));
  ASSERT_TRUE(node.LoadAccount("cpayer_1"));
  // Alone on its database nothing else writes it; what is held is answered as it is.
  ChangeElsewhere(database, "cpayer_1", "Ada");
  EXPECT_EQ(node.LoadAccount("cpayer_1").value()->payer.name, "");
}

}  // namespace
}  // namespace recur::caching_account_store_test
