#include "base/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace recur {
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

}  // namespace
}  // namespace recur
