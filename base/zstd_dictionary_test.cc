#include "base/zstd_dictionary.h"

#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace recur::zstd_dictionary_test {
namespace {

const std::string kContent =
    R"({"data":{"amount":{"amount":2000,"amount_formatted":"$20.00","currency":"USD"},)"
    R"("plan":{"name":"Pro","slug":"pro","features":[{"slug":"seats","limit":5}]}},)"
    R"("object":"event","type":"subscriptionItem.updated"})";

TEST(ZstdDictionaryTest, TextComesBackByteForByte) {
  const ZstdDictionary dictionary(kContent);
  std::mt19937_64 random(11);
  std::vector<std::string> texts = {"", "x", kContent, std::string("a\0b\xff\n", 5),
                                    std::string(100'000, 'q')};
  std::string noise;
  for (int i = 0; i < 5000; ++i) noise.push_back(static_cast<char>(random()));
  texts.push_back(noise);
  for (const std::string& text : texts) {
    auto back = dictionary.Decompress(dictionary.Compress(text));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, text);
  }
}

TEST(ZstdDictionaryTest, EmptyContentIsADictionaryOfNothing) {
  const ZstdDictionary dictionary("");
  auto back = dictionary.Decompress(dictionary.Compress(kContent));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, kContent);
}

TEST(ZstdDictionaryTest, TextLikeTheContentShrinksFarMoreThanWithoutIt) {
  const std::string text =
      R"({"data":{"amount":{"amount":2500,"amount_formatted":"$25.00","currency":"USD"},)"
      R"("plan":{"name":"Pro","slug":"pro","features":[{"slug":"seats","limit":5}]}},)"
      R"("object":"event","type":"subscriptionItem.active"})";
  const ZstdDictionary dictionary(kContent);
  const std::size_t with = dictionary.Compress(text).size();
  const std::size_t without = ZstdDictionary("").Compress(text).size();
  EXPECT_LT(with * 3, without) << with << " against " << without;
  // And every later frame too: contexts are kept and lent out again.
  for (int again = 0; again < 3; ++again) EXPECT_EQ(dictionary.Compress(text).size(), with);
}

TEST(ZstdDictionaryTest, ContentThatBeginsLikeATrainedDictionaryIsStillRawContent) {
  // zstd's dictionary magic number, then what is no trained dictionary: as a damaged store
  // might hold. It used to throw std::bad_alloc from the constructor.
  const std::string content = std::string("\x37\xa4\x30\xec", 4) + kContent;
  const ZstdDictionary dictionary(content);
  auto back = dictionary.Decompress(dictionary.Compress(kContent));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, kContent);
  std::string other_content = content;
  other_content[content.size() - 10] = '9';
  EXPECT_FALSE(ZstdDictionary(other_content).Decompress(dictionary.Compress(kContent)));
}

TEST(ZstdDictionaryTest, OtherContentOrDamageIsAnErrorNotOtherText) {
  const ZstdDictionary dictionary(kContent);
  const std::string frame = dictionary.Compress(kContent);

  std::string other_content = kContent;
  other_content[40] = '9';
  EXPECT_FALSE(ZstdDictionary(other_content).Decompress(frame));

  for (std::size_t at = 0; at < frame.size(); ++at) {
    std::string damaged = frame;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    EXPECT_FALSE(dictionary.Decompress(damaged)) << "damage at byte " << at << " went unnoticed";
  }
  EXPECT_FALSE(dictionary.Decompress(""));
  EXPECT_FALSE(dictionary.Decompress(kContent));
  EXPECT_FALSE(dictionary.Decompress(frame.substr(0, frame.size() - 1)));
}

TEST(ZstdDictionaryTest, RefusesAFrameLargerThanTheLimit) {
  const ZstdDictionary dictionary(kContent);
  const std::string frame = dictionary.Compress(std::string(1000, 'z'));
  EXPECT_TRUE(dictionary.Decompress(frame, 1000));
  auto refused = dictionary.Decompress(frame, 999);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "corrupt_data");
}

TEST(ZstdDictionaryTest, ThreadsShareOneDictionary) {
  const ZstdDictionary dictionary(kContent);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string text = kContent + std::to_string(t * 1000 + i);
        auto back = dictionary.Decompress(dictionary.Compress(text));
        if (!back || *back != text) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(8, 0));
}

}  // namespace
}  // namespace recur::zstd_dictionary_test
