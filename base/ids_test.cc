#include "base/ids.h"

#include <gtest/gtest.h>

#include <openssl/bn.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <vector>

namespace recur::ids_test {
namespace {

bool IsBase62(const std::string& text) {
  return text.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
         std::string::npos;
}

TEST(Ksuid, EncodesTheReferenceImplementationsExample) {
  // segmentio/ksuid's documented example: raw 0669F7EF B5A1CD34B5F99D1154FB6853345C9735.
  const unsigned char payload[16] = {0xB5, 0xA1, 0xCD, 0x34, 0xB5, 0xF9, 0x9D, 0x11,
                                     0x54, 0xFB, 0x68, 0x53, 0x34, 0x5C, 0x97, 0x35};
  EXPECT_EQ(EncodeKsuid(107608047, payload), "0ujtsYcgvSTl8PAuAdqWYSMnLOv");
}

TEST(Ksuid, PadsSmallValuesAndFitsTheLargest) {
  const unsigned char zeros[16] = {};
  EXPECT_EQ(EncodeKsuid(0, zeros), std::string(27, '0'));
  unsigned char ones[16];
  std::fill(std::begin(ones), std::end(ones), 0xFF);
  // 2^160 - 1, KSUID's documented maximum.
  EXPECT_EQ(EncodeKsuid(0xFFFFFFFF, ones), "aWgEPTl1tmebfsQzFP4bxwgy80V");
}

// The base62 text of the 20 bytes, worked out with OpenSSL's BIGNUM.
std::string Base62ByBignum(std::uint32_t timestamp, const unsigned char (&payload)[16]) {
  unsigned char raw[20] = {
      static_cast<unsigned char>(timestamp >> 24), static_cast<unsigned char>(timestamp >> 16),
      static_cast<unsigned char>(timestamp >> 8), static_cast<unsigned char>(timestamp)};
  std::copy(std::begin(payload), std::end(payload), raw + 4);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(BN_bin2bn(raw, sizeof raw, nullptr), BN_free);
  std::string text(27, '0');
  for (std::size_t i = 27; i-- > 0;) {
    text[i] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[BN_div_word(
        number.get(), 62)];
  }
  return text;
}

TEST(Ksuid, AgreesWithBignumOnRandomValues) {
  std::mt19937_64 random(20261127);
  for (int round = 0; round < 2000; ++round) {
    unsigned char payload[16];
    for (unsigned char& byte : payload) byte = static_cast<unsigned char>(random());
    const auto timestamp = static_cast<std::uint32_t>(random());
    ASSERT_EQ(EncodeKsuid(timestamp, payload), Base62ByBignum(timestamp, payload)) << round;
  }
}

TEST(KsuidGenerator, MakesPrefixedIdsThatSortByTheSecondTheyWereMade) {
  ManualClock clock(FromUnixMillis(1'700'000'000'000));
  KsuidGenerator ids(clock);
  const std::string first = ids.NewId("evt");
  ASSERT_EQ(first.size(), 4 + kIdBodyLength);
  EXPECT_EQ(first.substr(0, 4), "evt_");
  EXPECT_TRUE(IsBase62(first.substr(4)));

  std::set<std::string> later;
  clock.Advance(std::chrono::seconds(1));
  for (int i = 0; i < 1000; ++i) later.insert(ids.NewId("evt"));
  EXPECT_EQ(later.size(), 1000u) << "the random part keeps ids of one second apart";
  EXPECT_LT(first, *later.begin());
}

TEST(KsuidGenerator, ClampsInstantsOutsideTheKsuidRange) {
  // A timestamp of 0 leaves only the 128 random bits, under 62^22: five leading zeros.
  ManualClock before_epoch(FromUnixMillis(0));
  EXPECT_EQ(KsuidGenerator(before_epoch).NewId("x").substr(2, 5), "00000");
}

TEST(IncreasingKsuidGenerator, IdsSortInTheOrderTheyWereMadeWithinASecond) {
  ManualClock clock(FromUnixMillis(1'700'000'000'000));
  IncreasingKsuidGenerator ids(clock);
  std::vector<std::string> made;
  for (int i = 0; i < 1000; ++i) made.push_back(ids.NewId("evt"));
  clock.Advance(std::chrono::seconds(1));
  for (int i = 0; i < 1000; ++i) made.push_back(ids.NewId("evt"));
  EXPECT_TRUE(std::is_sorted(made.begin(), made.end()));
  EXPECT_EQ(std::set<std::string>(made.begin(), made.end()).size(), made.size());
  // A KSUID generator of the same instant writes the same timestamp digits.
  EXPECT_EQ(made.back().substr(0, 9), KsuidGenerator(clock).NewId("evt").substr(0, 9));
}

TEST(IncreasingKsuidGenerator, KeepsTheOrderWhenTheClockGoesBack) {
  ManualClock clock(FromUnixMillis(1'700'000'000'000));
  IncreasingKsuidGenerator ids(clock);
  const std::string before = ids.NewId("evt");
  clock.Advance(std::chrono::seconds(-5));
  EXPECT_LT(before, ids.NewId("evt"));
}

TEST(IncreasingKsuidGenerator, StepsAreRandomSoTheNextIdIsNotTheLastPlusOne) {
  ManualClock clock(FromUnixMillis(1'700'000'000'000));
  IncreasingKsuidGenerator first(clock);
  IncreasingKsuidGenerator second(clock);
  EXPECT_NE(first.NewId("evt"), second.NewId("evt"));
  // Steps of up to 2^64 change the base62 digits worth 62^7 to 62^10 (the 8th to 11th from the
  // end) nearly every time; steps of one would leave them alone.
  std::string last = first.NewId("evt");
  int changed = 0;
  for (int i = 0; i < 100; ++i) {
    const std::string next = first.NewId("evt");
    if (next.substr(4 + 16, 4) != last.substr(4 + 16, 4)) ++changed;
    last = next;
  }
  EXPECT_GT(changed, 90);
}

TEST(CountingIdGenerator, CountsUpInIdsOfTheUsualShape) {
  CountingIdGenerator ids;
  EXPECT_EQ(ids.NewId("csub_item"), "csub_item_000000000000000000000000001");
  EXPECT_EQ(ids.NewId("cpay"), "cpay_000000000000000000000000002");
  for (int i = 0; i < 8; ++i) ids.NewId("x");
  EXPECT_EQ(ids.NewId("x"), "x_000000000000000000000000011");
}

}  // namespace
}  // namespace recur::ids_test
