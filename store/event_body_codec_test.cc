#include "store/event_body_codec.h"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/map_event_body_dictionaries.h"

namespace recur::event_body_codec_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using MapDictionaries = MapEventBodyDictionaries;

StoredEvent Event(std::string id, std::string type, std::string email) {
  const std::string body = R"({"data":{"payer":{"email":")" + email +
                           R"("},"plan":{"slug":"pro"}},"id":")" + id + R"(","type":")" + type +
                           R"("})";
  return {std::move(id), std::move(type), "cpayer_1", {}, body};
}

TEST(EventBodyCodec, MakesADictionaryOnlyForATypeItHasNotSampled) {
  MapDictionaries dictionaries;
  auto codec = EventBodyCodec::Load(dictionaries).value();
  ASSERT_TRUE(codec->Encode({Event("evt_1", "a.created", "x@example.com")}));
  ASSERT_TRUE(codec->Encode({Event("evt_2", "a.created", "y@example.com")}));
  ASSERT_TRUE(codec->Encode({Event("evt_3", "b.updated", "z@example.com"),
                             Event("evt_4", "a.created", "w@example.com")}));
  ASSERT_EQ(dictionaries.stored.size(), 2u);
  EXPECT_THAT(dictionaries.stored[1].event_types, ElementsAre("a.created"));
  EXPECT_THAT(dictionaries.stored[2].event_types, ElementsAre("a.created", "b.updated"));
  EXPECT_EQ(dictionaries.stored[2].content.find("example.com"), std::string::npos)
      << "a dictionary holds no person's details";
}

TEST(EventBodyCodec, ABodyReadsBackWithItsDictionaryReadOnce) {
  MapDictionaries dictionaries;
  const StoredEvent event = Event("evt_1", "a.created", "x@example.com");
  const auto encoded = EventBodyCodec::Load(dictionaries).value()->Encode({event}).value();

  auto reopened = EventBodyCodec::Load(dictionaries).value();  // a restart: nothing in memory
  int reads = 0;
  auto reader = [&](std::int64_t id) -> Result<std::string> {
    ++reads;
    return dictionaries.stored.at(id).content;
  };
  for (int i = 0; i < 2; ++i) {
    auto body = reopened->Decode(encoded[0].frame, encoded[0].dictionary_id, reader);
    ASSERT_TRUE(body) << body.error().message;
    EXPECT_EQ(*body, event.body);
  }
  EXPECT_EQ(reads, 0) << "the newest dictionary is taken up at load";
}

TEST(EventBodyCodec, AFrameWithTheWrongDictionaryIsAnErrorNotOtherText) {
  MapDictionaries dictionaries;
  auto codec = EventBodyCodec::Load(dictionaries).value();
  const auto first = codec->Encode({Event("evt_1", "a.created", "x@example.com")}).value();
  ASSERT_TRUE(codec->Encode({Event("evt_2", "b.updated", "y@example.com")}));
  auto reader = [&](std::int64_t id) -> Result<std::string> {
    return dictionaries.stored.at(id).content;
  };
  auto wrong = codec->Decode(first[0].frame, 2, reader);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, "event_body_unreadable");
  EXPECT_THAT(wrong.error().message, HasSubstr("dictionary 2"));
}

}  // namespace
}  // namespace recur::event_body_codec_test
