#include "http/client_limits.h"

#include <gtest/gtest.h>

namespace recur::client_limits_test {
namespace {

using namespace std::chrono_literals;

class ClientLimitsTest : public ::testing::Test {
 protected:
  ManualClock clock_{FromUnixMillis(1'700'000'000'000)};
};

TEST_F(ClientLimitsTest, AnAddressPastItsFailedAuthenticationsIsRefusedBeforeItsKeyIsChecked) {
  ClientLimits limits({.failed_auth = Rate{3, 60s}}, clock_);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limits.RefuseBeforeKeyCheck("192.0.2.7")) << i;
    limits.KeyCheckFailed("192.0.2.7");
  }
  auto refusal = limits.RefuseBeforeKeyCheck("192.0.2.7");
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->kind, ErrorKind::kRateLimited);
  EXPECT_EQ(refusal->code, "rate_limited");
  EXPECT_EQ(refusal->retry_after, 20s);
  EXPECT_EQ(refusal->message,
            "too many failed authentications from 192.0.2.7: the limit is 3/1m per address; "
            "retry in 20 s");
  // Asking again spends nothing: the wait only shrinks as time passes.
  EXPECT_EQ(limits.RefuseBeforeKeyCheck("192.0.2.7")->retry_after, 20s);
  clock_.Advance(20s);
  EXPECT_FALSE(limits.RefuseBeforeKeyCheck("192.0.2.7"));
}

TEST_F(ClientLimitsTest, FailuresCountPerAddressAndAnIpv6HostCountsByItsSlash64) {
  ClientLimits limits({.failed_auth = Rate{1, 60s}}, clock_);
  limits.KeyCheckFailed("192.0.2.7");
  limits.KeyCheckFailed("2001:db8:1:2::1");
  EXPECT_TRUE(limits.RefuseBeforeKeyCheck("192.0.2.7"));
  EXPECT_FALSE(limits.RefuseBeforeKeyCheck("192.0.2.8"));
  EXPECT_TRUE(limits.RefuseBeforeKeyCheck("2001:db8:1:2:ffff::9"));
  EXPECT_FALSE(limits.RefuseBeforeKeyCheck("2001:db8:1:3::1"));
}

TEST_F(ClientLimitsTest, PublicRequestsArePerAddressAndRefusedPastTheRate) {
  ClientLimits limits({.public_requests = Rate{2, 1s}}, clock_);
  EXPECT_FALSE(limits.RefusePublicRequest("192.0.2.7"));
  EXPECT_FALSE(limits.RefusePublicRequest("192.0.2.7"));
  auto refusal = limits.RefusePublicRequest("192.0.2.7");
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->code, "rate_limited");
  EXPECT_EQ(refusal->retry_after, 1s);  // half a second, rounded up to a whole second
  EXPECT_FALSE(limits.RefusePublicRequest("192.0.2.8"));
  clock_.Advance(500ms);
  EXPECT_FALSE(limits.RefusePublicRequest("192.0.2.7"));
}

TEST_F(ClientLimitsTest, WithoutLimitsNothingIsRefused) {
  ClientLimits limits({}, clock_);
  for (int i = 0; i < 1000; ++i) {
    limits.KeyCheckFailed("192.0.2.7");
    EXPECT_FALSE(limits.RefusePublicRequest("192.0.2.7"));
  }
  EXPECT_FALSE(limits.RefuseBeforeKeyCheck("192.0.2.7"));
}

TEST(AddressKey, IsAnIpv4AddressItselfAndAnIpv6AddressItsSlash64) {
  EXPECT_EQ(AddressKey("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(AddressKey("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(AddressKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressKey("::1"), "::/64");
  EXPECT_EQ(AddressKey(""), "");
  EXPECT_EQ(AddressKey("not:an address"), "not:an address");
}

}  // namespace
}  // namespace recur::client_limits_test
