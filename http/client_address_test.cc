#include "http/client_address.h"

#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

namespace recur::client_address_test {
namespace {

std::vector<Cidr> Trusted(std::initializer_list<std::string_view> texts) {
  std::vector<Cidr> ranges;
  for (std::string_view text : texts) ranges.push_back(ParseTrustedProxy(text).value());
  return ranges;
}

HttpHeaders ForwardedFor(std::initializer_list<std::string> values) {
  HttpHeaders headers;
  for (const std::string& value : values) headers.emplace("X-Forwarded-For", value);
  return headers;
}

const std::vector<Cidr> kProxy = Trusted({"127.0.0.1"});

TEST(ClientAddressTest, WithoutTrustedProxiesThePeerIsTheClientWhateverTheHeaderSays) {
  EXPECT_EQ(ClientAddress("192.0.2.7", ForwardedFor({"198.51.100.1"}), {}), "192.0.2.7");
}

TEST(ClientAddressTest, APeerThatIsNotATrustedProxyHasItsHeaderIgnored) {
  EXPECT_EQ(ClientAddress("192.0.2.7", ForwardedFor({"198.51.100.1"}), kProxy), "192.0.2.7");
}

TEST(ClientAddressTest, ATrustedProxysHeaderNamesTheClient) {
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({"198.51.100.1"}), kProxy), "198.51.100.1");
}

TEST(ClientAddressTest, ATrustedProxyWithoutTheHeaderIsTheClient) {
  EXPECT_EQ(ClientAddress("127.0.0.1", {}, kProxy), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({" , "}), kProxy), "127.0.0.1");
}

TEST(ClientAddressTest, TheRightMostAddressThatIsNotATrustedProxyIsTheClient) {
  // The client claimed 203.0.113.9; the first proxy (10.0.0.5, trusted) appended the client's
  // real address, and the second proxy (the peer) appended the first's.
  const auto trusted = Trusted({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(
      ClientAddress("127.0.0.1", ForwardedFor({"203.0.113.9, 198.51.100.1, 10.0.0.5"}), trusted),
      "198.51.100.1");
}

TEST(ClientAddressTest, AddressesLeftOfTheClientAreNeverRead) {
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({"not an address, 198.51.100.1"}), kProxy),
            "198.51.100.1");
}

TEST(ClientAddressTest, WhenEveryEntryIsATrustedProxyTheLeftMostIsTheClient) {
  const auto trusted = Trusted({"10.0.0.0/8", "127.0.0.1"});
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({"10.0.0.9, 10.0.0.5"}), trusted), "10.0.0.9");
}

TEST(ClientAddressTest, SeveralHeadersAreOneListInTheOrderTheyCame) {
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({"198.51.100.1", "198.51.100.2"}), kProxy),
            "198.51.100.2");
}

TEST(ClientAddressTest, AMalformedRightMostEntryLeavesThePeerAsTheClient) {
  for (const std::string bad : {"unknown", "client.example", "198.51.100", "1.2.3.4:port",
                                "[198.51.100.1]", "[2001:db8::1", "198.51.100.1 extra"}) {
    EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({bad}), kProxy), "127.0.0.1") << bad;
  }
}

TEST(ClientAddressTest, AMalformedEntryBehindATrustedProxyLeavesThatProxyAsTheClient) {
  const auto trusted = Trusted({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({"unknown, 10.0.0.5"}), trusted), "10.0.0.5");
}

TEST(ClientAddressTest, PortsBracketsAndSpacesAroundAnEntryAreAccepted) {
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({"  198.51.100.1:4711 "}), kProxy),
            "198.51.100.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({"[2001:db8::1]:4711"}), kProxy),
            "2001:db8::1");
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({"[2001:DB8:0::1]"}), kProxy), "2001:db8::1");
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({"2001:db8::1,,"}), kProxy), "2001:db8::1");
}

TEST(ClientAddressTest, AnIpv4MappedAddressCountsAsTheIpv4AddressItCarries) {
  // A proxy seen on a dual-stack socket is trusted by its IPv4 range...
  EXPECT_EQ(ClientAddress("::ffff:127.0.0.1", ForwardedFor({"198.51.100.1"}), kProxy),
            "198.51.100.1");
  // ...and a client named that way is named by its IPv4 address.
  EXPECT_EQ(ClientAddress("127.0.0.1", ForwardedFor({"::ffff:198.51.100.1"}), kProxy),
            "198.51.100.1");
}

TEST(ClientAddressTest, AnIpv6ProxyRangeTrustsItsPeers) {
  const auto trusted = Trusted({"fd00::/8"});
  EXPECT_EQ(ClientAddress("fd12::5", ForwardedFor({"198.51.100.1"}), trusted), "198.51.100.1");
  EXPECT_EQ(ClientAddress("fe80::5", ForwardedFor({"198.51.100.1"}), trusted), "fe80::5");
}

TEST(ParseTrustedProxyTest, TakesARangeOrOneAddress) {
  EXPECT_EQ(FormatCidr(ParseTrustedProxy("10.1.2.3/8").value()), "10.0.0.0/8");
  EXPECT_EQ(FormatCidr(ParseTrustedProxy("127.0.0.1").value()), "127.0.0.1/32");
  EXPECT_EQ(FormatCidr(ParseTrustedProxy("::1").value()), "::1/128");
}

TEST(ParseTrustedProxyTest, RefusesWhatIsNeitherAndQuotesIt) {
  auto name = ParseTrustedProxy("proxy.internal");
  ASSERT_FALSE(name);
  EXPECT_EQ(name.error().code, "invalid_cidr");
  EXPECT_NE(name.error().message.find("\"proxy.internal\""), std::string::npos);
  auto prefix = ParseTrustedProxy("10.0.0.0/33");
  ASSERT_FALSE(prefix);
  EXPECT_EQ(prefix.error().code, "invalid_cidr");
  EXPECT_NE(prefix.error().message.find("\"10.0.0.0/33\""), std::string::npos);
}

HttpHeaders ForwardedProto(std::initializer_list<std::string> values) {
  HttpHeaders headers;
  for (const std::string& value : values) headers.emplace("X-Forwarded-Proto", value);
  return headers;
}

TEST(CameOverHttpsTest, OnlyATrustedProxysForwardedProtoSaysSo) {
  EXPECT_TRUE(CameOverHttps("127.0.0.1", ForwardedProto({"https"}), kProxy));
  EXPECT_TRUE(CameOverHttps("::ffff:127.0.0.1", ForwardedProto({"HTTPS"}), kProxy));
  EXPECT_FALSE(CameOverHttps("127.0.0.1", ForwardedProto({"http"}), kProxy));
  EXPECT_FALSE(CameOverHttps("127.0.0.1", ForwardedProto({}), kProxy));
  EXPECT_FALSE(CameOverHttps("192.0.2.7", ForwardedProto({"https"}), kProxy));  // not a proxy
  EXPECT_FALSE(CameOverHttps("127.0.0.1", ForwardedProto({"https"}), {}));      // none trusted
}

TEST(CameOverHttpsTest, TheRightMostValueIsTheOneTheProxyInFrontWrote) {
  EXPECT_TRUE(CameOverHttps("127.0.0.1", ForwardedProto({"http, https"}), kProxy));
  EXPECT_FALSE(CameOverHttps("127.0.0.1", ForwardedProto({"https, http"}), kProxy));
  EXPECT_FALSE(CameOverHttps("127.0.0.1", ForwardedProto({"https", "http"}), kProxy));
  EXPECT_TRUE(CameOverHttps("127.0.0.1", ForwardedProto({"http", " https "}), kProxy));
}

}  // namespace
}  // namespace recur::client_address_test
