#include "store/sqlite/stored_event_bodies.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_store.h"
#include "tests/support/temporary_database.h"

namespace recur::stored_event_bodies_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class StoredEventBodiesTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto store = SqliteStore::Open(database_.path(), ids_, t0_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }

  // An envelope shaped like the ones the engine renders, with a payer, a card and a plan.
  std::string Body(const std::string& event_id, const std::string& type, int payer) {
    return R"({"data":{"amount":{"amount":2000,"amount_formatted":"$20.00","currency":"USD"},)"
           R"("id":"cpay_)" +
           std::to_string(payer) + R"(","payer":{"email":"person)" + std::to_string(payer) +
           R"(@example.com","first_name":"Ada)" + std::to_string(payer) +
           R"(","last_name":"Lovelace","user_id":"ext_)" + std::to_string(payer) +
           R"("},"payment_source":{"card_type":"visa","last4":"4242"},)"
           R"("plan":{"description":"For professionals who ship every week.","features":[)"
           R"({"description":"Active projects at once","limit":50,"name":"Projects"},)"
           R"({"description":"File storage in gigabytes","limit":100,"name":"Storage"}],)"
           R"("name":"Pro","slug":"pro"},"status":"paid"},)"
           R"("event_attributes":{"http_request":{"client_ip":"10.0.0.)" +
           std::to_string(payer % 250) + R"(","user_agent":"Mozilla/5.0"}},"id":")" + event_id +
           R"(","object":"event","type":")" + type + R"("})";
  }

  // Stores a new payer with one event of each of `types`; returns what was stored. Safe to
  // call from several threads at once.
  std::vector<StoredEvent> SavePayerWithEvents(const std::vector<std::string>& types) {
    Account account;
    std::vector<StoredEvent> events;
    {
      std::lock_guard lock(mutex_);
      const int payer = next_payer_++;
      account.payer.id = "cpayer_" + std::to_string(payer);
      account.payer.external_id = "user_" + std::to_string(payer);
      account.payer.email = "person" + std::to_string(payer) + "@example.com";
      account.payer.subscription_id = "csub_" + std::to_string(payer);
      account.payer.created_at = t0_;
      for (const std::string& type : types) {
        const std::string id = ids_.NewId("evt");
        events.push_back({id, type, account.payer.id, t0_, Body(id, type, payer)});
      }
    }
    auto saved = store_->SaveTransition(nullptr, account, events, {}, {});
    EXPECT_TRUE(saved) << saved.error().message;
    std::lock_guard lock(mutex_);
    stored_.insert(stored_.end(), events.begin(), events.end());
    return events;
  }

  // Every event listed by the store, oldest first.
  std::vector<StoredEvent> Listed() {
    auto page = store_->ListEvents("", "", {100, ""});
    EXPECT_TRUE(page) << page.error().message;
    if (!page) return {};
    EXPECT_FALSE(page->has_more);
    return {page->data.rbegin(), page->data.rend()};
  }

  void ExpectEveryBodyReadsBackAsStored() {
    std::map<std::string, std::string> listed;
    for (const StoredEvent& event : Listed()) listed[event.id] = event.body;
    std::map<std::string, std::string> stored;
    for (const StoredEvent& event : stored_) stored[event.id] = event.body;
    EXPECT_EQ(listed, stored);
  }

  // The event types of each dictionary, oldest first.
  std::vector<std::string> DictionaryTypes() {
    SQLite::Database db(database_.path());
    SQLite::Statement query(db, "SELECT event_types FROM event_body_dictionaries ORDER BY id");
    std::vector<std::string> types;
    while (query.executeStep()) types.push_back(query.getColumn(0).getString());
    return types;
  }

  TemporaryDatabase database_;
  SeededIdGenerator ids_{3};
  const Instant t0_ = FromUnixMillis(1'735'689'600'000);
  std::unique_ptr<SqliteStore> store_;
  std::mutex mutex_;  // guards what follows, and ids_
  int next_payer_ = 1;
  std::vector<StoredEvent> stored_;
};

TEST_F(StoredEventBodiesTest, BodiesAreStoredCompressedAndReadBackByteForByte) {
  SavePayerWithEvents({"subscription.created", "subscriptionItem.active"});
  for (int i = 0; i < 20; ++i) SavePayerWithEvents({"subscription.updated"});
  ExpectEveryBodyReadsBackAsStored();

  SQLite::Database db(database_.path());
  SQLite::Statement rows(db, "SELECT id, typeof(body), length(body) FROM events");
  int rows_seen = 0;
  while (rows.executeStep()) {
    ++rows_seen;
    EXPECT_EQ(rows.getColumn(1).getString(), "blob") << rows.getColumn(0).getString();
    // Each body is about 750 bytes; most of it is in the dictionary.
    EXPECT_LT(rows.getColumn(2).getInt(), 250) << rows.getColumn(0).getString();
  }
  EXPECT_EQ(rows_seen, 22);
}

TEST_F(StoredEventBodiesTest, OnlyATypeNoDictionaryHoldsMakesANewOne) {
  SavePayerWithEvents({"a.one", "a.two", "a.one"});
  EXPECT_THAT(DictionaryTypes(), ElementsAre(R"(["a.one","a.two"])"));
  SavePayerWithEvents({"a.two"});
  SavePayerWithEvents({"a.three", "a.one"});
  EXPECT_THAT(DictionaryTypes(),
              ElementsAre(R"(["a.one","a.two"])", R"(["a.one","a.two","a.three"])"));

  Reopen();  // takes up the newest dictionary again
  SavePayerWithEvents({"a.three", "a.two"});
  EXPECT_EQ(DictionaryTypes().size(), 2u);
  SavePayerWithEvents({"a.four"});
  EXPECT_EQ(DictionaryTypes().size(), 3u);
  ExpectEveryBodyReadsBackAsStored();

  Reopen();  // reads the bodies of older dictionaries from the database
  ExpectEveryBodyReadsBackAsStored();
}

TEST_F(StoredEventBodiesTest, ThreadsBringingNewTypesAtOnceShareTheDictionaries) {
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 8; ++thread) {
    threads.emplace_back([this, thread] {
      for (int round = 0; round < 6; ++round) {
        SavePayerWithEvents(
            {"shared.type", "t" + std::to_string(thread % 4) + ".r" + std::to_string(round % 3)});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ExpectEveryBodyReadsBackAsStored();

  // Each dictionary adds types to the one before it, and the newest has all 13.
  const std::vector<std::string> dictionaries = DictionaryTypes();
  ASSERT_FALSE(dictionaries.empty());
  EXPECT_LE(dictionaries.size(), 13u);
  std::vector<std::string> before;
  for (const std::string& text : dictionaries) {
    const auto types = nlohmann::json::parse(text).get<std::vector<std::string>>();
    ASSERT_GT(types.size(), before.size()) << text;
    EXPECT_TRUE(std::equal(before.begin(), before.end(), types.begin())) << text;
    before = types;
  }
  EXPECT_EQ(before.size(), 13u);
}

TEST_F(StoredEventBodiesTest, DictionariesHoldNoPayersOrCardsDetails) {
  SavePayerWithEvents({"paymentAttempt.created", "paymentAttempt.updated"});
  SavePayerWithEvents({"subscription.created"});
  SQLite::Database db(database_.path());
  SQLite::Statement query(db, "SELECT content FROM event_body_dictionaries");
  int dictionaries = 0;
  while (query.executeStep()) {
    ++dictionaries;
    const std::string content = query.getColumn(0).getString();
    EXPECT_THAT(content, HasSubstr("For professionals who ship every week."));
    for (const char* detail :
         {"person1", "person2", "Ada", "Lovelace", "ext_", "4242", "visa", "10.0.0.", "Mozilla"}) {
      EXPECT_EQ(content.find(detail), std::string::npos) << detail << " in " << content;
    }
  }
  EXPECT_EQ(dictionaries, 2);
}

TEST_F(StoredEventBodiesTest, BodiesStoredAsTextReadBackAsTheyAre) {
  SavePayerWithEvents({"subscription.created"});
  {
    // As a database written before bodies were compressed holds them.
    SQLite::Database db(database_.path(), SQLite::OPEN_READWRITE);
    SQLite::Statement insert(db,
                             "INSERT INTO events (id, type, payer_id, timestamp, body) "
                             "VALUES ('evt_text', 'subscription.updated', 'cpayer_1', 1, ?)");
    insert.bind(1, std::string(R"({"plain":"text body"})"));
    insert.exec();
  }
  stored_.push_back({"evt_text", "subscription.updated", "cpayer_1", FromUnixMillis(1),
                     R"({"plain":"text body"})"});
  ExpectEveryBodyReadsBackAsStored();
}

TEST_F(StoredEventBodiesTest, ADamagedBodyIsAnErrorNotOtherText) {
  const std::vector<StoredEvent> events = SavePayerWithEvents({"subscription.created"});
  {
    SQLite::Database db(database_.path(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE events SET body = CAST(substr(body, 1, length(body) - 1) || x'00' AS BLOB)");
  }
  auto page = store_->ListEvents("", "", {10, ""});
  ASSERT_FALSE(page);
  EXPECT_THAT(page.error().message, HasSubstr("dictionary"));
}

}  // namespace
}  // namespace recur::stored_event_bodies_test
