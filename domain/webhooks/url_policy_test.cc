#include "domain/webhooks/url_policy.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <netinet/in.h>

#include <cstring>
#include <string>
#include <vector>

namespace recur::url_policy_test {
namespace {

using ::testing::HasSubstr;

std::vector<Cidr> Allow(std::initializer_list<std::string_view> texts) {
  std::vector<Cidr> out;
  for (std::string_view text : texts) {
    auto cidr = ParseCidr(text);
    EXPECT_TRUE(cidr.has_value()) << text;
    if (cidr) out.push_back(*cidr);
  }
  return out;
}

// The error for a refused address, or a failed expectation when it passed.
Error Refused(std::string_view address, std::span<const Cidr> allow = {}) {
  Status status = CheckAddressAllowed(address, allow);
  EXPECT_FALSE(status.has_value()) << address << " was allowed";
  if (status) return Error{};
  EXPECT_EQ(status.error().kind, ErrorKind::kInvalidArgument) << address;
  EXPECT_EQ(status.error().code, "address_not_allowed") << address;
  return status.error();
}

void ExpectAllowed(std::string_view address, std::span<const Cidr> allow = {}) {
  Status status = CheckAddressAllowed(address, allow);
  EXPECT_TRUE(status.has_value()) << address << ": " << (status ? "" : status.error().message);
}

void ExpectRefusedAs(std::string_view address, std::string_view class_name) {
  EXPECT_THAT(Refused(address).message, HasSubstr(std::string(class_name))) << address;
}

// --- Address classes -----------------------------------------------------------------------

TEST(CheckAddressAllowedTest, PublicAddressesPass) {
  ExpectAllowed("8.8.8.8");
  ExpectAllowed("1.1.1.1");
  ExpectAllowed("93.184.216.34");
  ExpectAllowed("2606:4700:4700::1111");
  ExpectAllowed("2001:4860:4860::8888");
}

TEST(CheckAddressAllowedTest, LoopbackMessageNamesClassAndAllowListEntry) {
  EXPECT_EQ(Refused("127.0.0.1").message,
            "127.0.0.1 is a loopback address; allow it with the webhook address allow-list entry "
            "127.0.0.0/8");
  EXPECT_EQ(Refused("127.0.0.1").param, "address");
  ExpectRefusedAs("127.255.255.255", "loopback");
  ExpectRefusedAs("127.1.2.3", "loopback");
}

TEST(CheckAddressAllowedTest, RefusalsCallAnEntryWhatTheProgramCallsIt) {
  EXPECT_EQ(CheckAddressAllowed("127.0.0.1", {}, "--webhook-allow-cidr").error().message,
            "127.0.0.1 is a loopback address; allow it with --webhook-allow-cidr 127.0.0.0/8");
  EXPECT_EQ(CheckAddressAllowed("64:ff9b:1:2:3::1", {}, "--allow").error().message,
            "64:ff9b:1:2:3::1 is a local-use NAT64 address whose embedded IPv4 address cannot be "
            "determined; allow it with --allow 64:ff9b:1::/48");
}

TEST(CheckAddressAllowedTest, ThisNetwork) {
  ExpectRefusedAs("0.0.0.0", "\"this network\"");
  ExpectRefusedAs("0.255.255.255", "\"this network\"");
  ExpectAllowed("1.0.0.0");
}

TEST(CheckAddressAllowedTest, PrivateRanges) {
  ExpectRefusedAs("10.0.0.0", "private");
  ExpectRefusedAs("10.0.0.1", "private");
  ExpectRefusedAs("10.255.255.255", "private");
  ExpectAllowed("9.255.255.255");
  ExpectAllowed("11.0.0.0");

  ExpectAllowed("172.15.255.255");
  ExpectRefusedAs("172.16.0.0", "private");
  ExpectRefusedAs("172.20.1.1", "private");
  ExpectRefusedAs("172.31.255.255", "private");
  ExpectAllowed("172.32.0.0");

  ExpectAllowed("192.167.255.255");
  ExpectRefusedAs("192.168.0.0", "private");
  ExpectRefusedAs("192.168.1.1", "private");
  ExpectRefusedAs("192.168.255.255", "private");
  ExpectAllowed("192.169.0.0");
  EXPECT_THAT(Refused("172.16.0.0").message, HasSubstr("allow-list entry 172.16.0.0/12"));
}

TEST(CheckAddressAllowedTest, SharedCgnat) {
  ExpectAllowed("100.63.255.255");
  ExpectRefusedAs("100.64.0.0", "CGNAT");
  ExpectRefusedAs("100.127.255.255", "CGNAT");
  ExpectAllowed("100.128.0.0");
}

TEST(CheckAddressAllowedTest, LinkLocalAndCloudMetadata) {
  ExpectRefusedAs("169.254.0.1", "link-local");
  ExpectRefusedAs("169.254.255.255", "link-local");
  EXPECT_THAT(Refused("169.254.0.1").message, Not(HasSubstr("metadata")));
  const Error metadata = Refused("169.254.169.254");
  EXPECT_THAT(metadata.message, HasSubstr("169.254.169.254 is the cloud metadata address"));
  EXPECT_THAT(metadata.message, HasSubstr("allow-list entry 169.254.169.254/32"));
  ExpectRefusedAs("100.100.100.200", "Alibaba Cloud metadata");
  ExpectAllowed("169.253.255.255");
  ExpectAllowed("169.255.0.0");
}

TEST(CheckAddressAllowedTest, ReservedDocumentationBenchmark) {
  ExpectRefusedAs("192.0.0.1", "reserved");
  ExpectRefusedAs("192.0.0.255", "reserved");
  ExpectAllowed("192.0.1.0");
  ExpectRefusedAs("192.0.2.1", "documentation");
  ExpectRefusedAs("198.51.100.7", "documentation");
  ExpectRefusedAs("203.0.113.255", "documentation");
  ExpectAllowed("203.0.114.0");
  ExpectAllowed("198.17.255.255");
  ExpectRefusedAs("198.18.0.0", "benchmarking");
  ExpectRefusedAs("198.19.255.255", "benchmarking");
  ExpectAllowed("198.20.0.0");
}

TEST(CheckAddressAllowedTest, MulticastReservedBroadcast) {
  ExpectAllowed("223.255.255.255");
  ExpectRefusedAs("224.0.0.0", "multicast");
  ExpectRefusedAs("239.255.255.250", "multicast");
  ExpectRefusedAs("240.0.0.0", "reserved");
  ExpectRefusedAs("250.1.2.3", "reserved");
  ExpectRefusedAs("255.255.255.255", "broadcast");
}

TEST(CheckAddressAllowedTest, Ipv6Classes) {
  ExpectRefusedAs("::", "unspecified");
  EXPECT_EQ(
      Refused("::1").message,
      "::1 is the loopback address; allow it with the webhook address allow-list entry ::1/128");
  ExpectRefusedAs("fc00::1", "unique local");
  ExpectRefusedAs("fd12:3456::1", "unique local");
  ExpectRefusedAs("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local");
  // Outside 2000::/3, the global unicast space, though in no special-purpose range.
  ExpectRefusedAs("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "outside the global unicast");
  ExpectRefusedAs("fe80::1", "link-local");
  ExpectRefusedAs("febf:ffff::1", "link-local");
  ExpectRefusedAs("fec0::1", "site-local");
  ExpectRefusedAs("ff02::1", "multicast");
  ExpectRefusedAs("ff0e::1", "multicast");
  ExpectRefusedAs("2001:db8::1", "documentation");
  ExpectRefusedAs("2001:db8:ffff::1", "documentation");
  ExpectAllowed("2001:db9::1");
  ExpectRefusedAs("100::1", "discard");
  ExpectRefusedAs("100::ffff:ffff:ffff:ffff", "discard");
  ExpectRefusedAs("100:0:0:1::1", "dummy-prefix");
}

// IANA's IPv4 and IPv6 special-purpose address registries (and the multicast, broadcast and
// reserved space), each range at its first and last address, with its class; the addresses just
// outside each range are public.
struct SpecialRange {
  std::string_view first;
  std::string_view last;
  std::string_view class_name;
};

TEST(CheckAddressAllowedTest, EverySpecialPurposeRangeIsRefusedFromItsFirstToItsLastAddress) {
  const SpecialRange ranges[] = {
      {"0.0.0.0", "0.255.255.255", "\"this network\""},
      {"10.0.0.0", "10.255.255.255", "private"},
      {"100.64.0.0", "100.127.255.255", "CGNAT"},
      {"127.0.0.0", "127.255.255.255", "loopback"},
      {"169.254.0.0", "169.254.255.255", "link-local"},
      {"172.16.0.0", "172.31.255.255", "private"},
      {"192.0.0.0", "192.0.0.255", "IETF protocol assignments"},
      {"192.0.2.0", "192.0.2.255", "TEST-NET-1"},
      {"192.31.196.0", "192.31.196.255", "AS112"},
      {"192.52.193.0", "192.52.193.255", "AMT"},
      {"192.88.99.0", "192.88.99.255", "6to4 relay"},
      {"192.168.0.0", "192.168.255.255", "private"},
      {"192.175.48.0", "192.175.48.255", "AS112"},
      {"198.18.0.0", "198.19.255.255", "benchmarking"},
      {"198.51.100.0", "198.51.100.255", "TEST-NET-2"},
      {"203.0.113.0", "203.0.113.255", "TEST-NET-3"},
      {"224.0.0.0", "239.255.255.255", "multicast"},
      {"240.0.0.0", "255.255.255.254", "reserved"},
      {"255.255.255.255", "255.255.255.255", "broadcast"},
      {"::", "::", "unspecified"},
      {"::1", "::1", "loopback"},
      {"100::", "100::ffff:ffff:ffff:ffff", "discard-only"},
      {"100:0:0:1::", "100:0:0:1:ffff:ffff:ffff:ffff", "dummy-prefix"},
      {"2001::", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "Teredo"},
      {"2001:1::1", "2001:1::3", "IETF protocol assignments"},
      {"2001:2::", "2001:2:0:ffff:ffff:ffff:ffff:ffff", "benchmarking"},
      {"2001:3::", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "IETF protocol assignments"},
      {"2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "documentation"},
      {"2620:4f:8000::", "2620:4f:8000:ffff:ffff:ffff:ffff:ffff", "AS112"},
      {"3fff::", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", "documentation"},
      {"5f00::", "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "SRv6"},
      {"fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local"},
      {"fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local"},
      {"fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "site-local"},
      {"ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast"},
      {"4000::", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "outside the global unicast"},
      {"200::", "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "outside the global unicast"},
  };
  for (const SpecialRange& range : ranges) {
    ExpectRefusedAs(range.first, range.class_name);
    ExpectRefusedAs(range.last, range.class_name);
  }
  const std::string_view just_outside[] = {"1.0.0.0",
                                           "9.255.255.255",
                                           "11.0.0.0",
                                           "100.63.255.255",
                                           "100.128.0.0",
                                           "126.255.255.255",
                                           "128.0.0.0",
                                           "172.15.255.255",
                                           "172.32.0.0",
                                           "192.0.1.0",
                                           "192.31.195.255",
                                           "192.31.197.0",
                                           "192.52.192.255",
                                           "192.52.194.0",
                                           "192.88.98.255",
                                           "192.88.100.0",
                                           "192.175.47.255",
                                           "192.175.49.0",
                                           "198.17.255.255",
                                           "198.20.0.0",
                                           "223.255.255.255",
                                           "2001:200::",
                                           "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
                                           "2001:db9::",
                                           "2620:4f:7fff:ffff:ffff:ffff:ffff:ffff",
                                           "2620:4f:8001::",
                                           "2000::",
                                           "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                                           "3fff:1000::"};
  for (std::string_view address : just_outside) ExpectAllowed(address);
}

TEST(CheckAddressAllowedTest, OutsideGlobalUnicastSuggestsTheAddressItself) {
  EXPECT_EQ(Refused("4000::1").message,
            "4000::1 is outside the global unicast range 2000::/3 (reserved); allow it with the "
            "webhook address allow-list entry 4000::1/128");
}

TEST(CheckAddressAllowedTest, Ipv6CloudMetadataNamed) {
  const Error error = Refused("fd00:ec2::254");
  EXPECT_THAT(error.message, HasSubstr("AWS cloud metadata"));
  EXPECT_THAT(error.message, HasSubstr("allow-list entry fd00:ec2::254/128"));
  EXPECT_THAT(Refused("fd00:ec2::253").message, Not(HasSubstr("metadata")));
}

// The IPv6 forms that carry an IPv4 address take its class, whatever range it is in.
TEST(CheckAddressAllowedTest, EmbeddedIpv4AddressesTakeTheClassOfTheAddressTheyCarry) {
  const std::pair<std::string_view, std::string_view> carried[] = {
      {"0.0.0.1", "\"this network\""},  {"10.1.2.3", "private"},
      {"100.64.0.1", "CGNAT"},          {"127.0.0.1", "loopback"},
      {"169.254.1.1", "link-local"},    {"192.0.0.8", "IETF protocol assignments"},
      {"192.88.99.1", "6to4 relay"},    {"198.18.0.1", "benchmarking"},
      {"224.0.0.1", "multicast"},       {"240.0.0.1", "reserved"},
      {"255.255.255.255", "broadcast"},
  };
  for (const auto& [v4, class_name] : carried) {
    for (std::string_view prefix : {"::ffff:", "64:ff9b::", "64:ff9b:1::"}) {
      const std::string address = std::string(prefix) + std::string(v4);
      const Error error = Refused(address);
      EXPECT_THAT(error.message, HasSubstr(std::string(class_name))) << address;
      EXPECT_THAT(error.message, HasSubstr("form of " + std::string(v4))) << address;
    }
  }
  for (std::string_view prefix : {"::ffff:", "64:ff9b::", "64:ff9b:1::"}) {
    ExpectAllowed(std::string(prefix) + "8.8.8.8");
  }
}

TEST(CheckAddressAllowedTest, Ipv4MappedJudgedByEmbeddedAddress) {
  const Error loopback = Refused("::ffff:127.0.0.1");
  EXPECT_THAT(loopback.message, HasSubstr("IPv4-mapped"));
  EXPECT_THAT(loopback.message, HasSubstr("127.0.0.1, a loopback address"));
  EXPECT_THAT(Refused("::ffff:169.254.169.254").message, HasSubstr("cloud metadata"));
  ExpectRefusedAs("::ffff:10.0.0.1", "private");
  ExpectRefusedAs("::ffff:7f00:1", "loopback");  // the same address written in hex
  ExpectAllowed("::ffff:8.8.8.8");
}

TEST(CheckAddressAllowedTest, Ipv4CompatibleJudgedByEmbeddedAddress) {
  ExpectRefusedAs("::127.0.0.1", "loopback");
  ExpectRefusedAs("::169.254.169.254", "cloud metadata");
  ExpectRefusedAs("::2", "\"this network\"");
  ExpectAllowed("::8.8.8.8");
}

TEST(CheckAddressAllowedTest, Nat64JudgedByEmbeddedAddress) {
  EXPECT_THAT(Refused("64:ff9b::127.0.0.1").message, HasSubstr("NAT64 form of 127.0.0.1"));
  ExpectRefusedAs("64:ff9b::a9fe:a9fe", "cloud metadata");  // 169.254.169.254
  ExpectRefusedAs("64:ff9b::192.168.0.1", "private");
  ExpectAllowed("64:ff9b::8.8.8.8");
  ExpectRefusedAs("64:ff9b:1::127.0.0.1", "loopback");
  ExpectRefusedAs("64:ff9b:1::169.254.169.254", "cloud metadata");
  ExpectAllowed("64:ff9b:1::8.8.8.8");
  // A local-use NAT64 address in another layout (RFC 6052 /48: 127.0.0.1 in bits 48..88).
  ExpectRefusedAs("64:ff9b:1:7f00:0:100::", "local-use NAT64");
}

TEST(CheckAddressAllowedTest, SixToFourJudgedByEmbeddedAddress) {
  EXPECT_THAT(Refused("2002:7f00:1::1").message, HasSubstr("6to4 form of 127.0.0.1"));
  ExpectRefusedAs("2002:a9fe:a9fe::", "cloud metadata");
  ExpectRefusedAs("2002:a00:1::", "private");
  ExpectAllowed("2002:808:808::1");
}

TEST(CheckAddressAllowedTest, AllowListLiftsOnlyWhatItContains) {
  const std::vector<Cidr> allow = Allow({"127.0.0.0/8", "::1/128"});
  ExpectAllowed("127.0.0.1", allow);
  ExpectAllowed("127.9.9.9", allow);
  ExpectAllowed("::1", allow);
  ExpectAllowed("::ffff:127.0.0.1", allow);  // the same destination
  ExpectRefusedAs("10.0.0.1", "private");
  Refused("10.0.0.1", allow);
  Refused("169.254.169.254", allow);
  Refused("fe80::1", allow);
}

TEST(CheckAddressAllowedTest, AllowListNarrowEntries) {
  const std::vector<Cidr> allow = Allow({"10.1.0.0/16", "fd00::/8"});
  ExpectAllowed("10.1.2.3", allow);
  Refused("10.2.0.1", allow);
  ExpectAllowed("fd12::1", allow);
  Refused("fc00::1", allow);
  ExpectAllowed("fd00:ec2::254", allow);  // the operator asked for all of fd00::/8
}

TEST(CheckAddressAllowedTest, V4EntryDoesNotMatchUnrelatedV6) {
  const std::vector<Cidr> allow = Allow({"0.0.0.0/0"});
  ExpectAllowed("127.0.0.1", allow);
  Refused("::1", allow);
  Refused("fe80::1", allow);
}

TEST(CheckAddressAllowedTest, UnparsableTextIsInvalidIpAddress) {
  for (std::string_view text :
       {"", "localhost", "1.2.3", "1.2.3.4.5", "::1%lo", "01.2.3.4", "256.0.0.1", "1.2.3.4 "}) {
    Status status = CheckAddressAllowed(text, {});
    ASSERT_FALSE(status.has_value()) << text;
    EXPECT_EQ(status.error().code, "invalid_ip_address") << text;
    EXPECT_EQ(status.error().kind, ErrorKind::kInvalidArgument) << text;
  }
  const std::string with_nul("127.0.0.1\0", 10);
  EXPECT_FALSE(ParseIpAddress(with_nul).has_value());
  EXPECT_FALSE(ParseIpAddress(std::string(100, '1')).has_value());
}

TEST(CheckAddressAllowedTest, ByteOverloadMatchesTextOverload) {
  IpAddress v4;
  v4.is_v4 = true;
  v4.bytes[0] = 127;
  v4.bytes[3] = 1;
  EXPECT_FALSE(CheckAddressAllowed(v4, {}).has_value());
  IpAddress v6;
  v6.bytes[15] = 1;
  EXPECT_FALSE(CheckAddressAllowed(v6, {}).has_value());
  IpAddress pub;
  pub.is_v4 = true;
  pub.bytes = {8, 8, 8, 8};
  EXPECT_TRUE(CheckAddressAllowed(pub, {}).has_value());
}

// --- IpAddress -----------------------------------------------------------------------------

TEST(IpAddressTest, ParseAndFormatRoundTrip) {
  auto v4 = ParseIpAddress("10.0.0.1");
  ASSERT_TRUE(v4.has_value());
  EXPECT_TRUE(v4->is_v4);
  EXPECT_EQ(v4->bytes[0], 10);
  EXPECT_EQ(v4->bytes[3], 1);
  for (std::size_t i = 4; i < 16; ++i) EXPECT_EQ(v4->bytes[i], 0);
  EXPECT_EQ(FormatIpAddress(*v4), "10.0.0.1");

  auto v6 = ParseIpAddress("2606:4700:4700:0:0:0:0:1111");
  ASSERT_TRUE(v6.has_value());
  EXPECT_FALSE(v6->is_v4);
  EXPECT_EQ(FormatIpAddress(*v6), "2606:4700:4700::1111");

  auto mapped = ParseIpAddress("::ffff:127.0.0.1");
  ASSERT_TRUE(mapped.has_value());
  EXPECT_FALSE(mapped->is_v4);
  EXPECT_EQ(FormatIpAddress(*mapped), "::ffff:127.0.0.1");
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("::")), "::");
}

TEST(IpAddressTest, FromSockaddr) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(0x7f000001);
  auto v4 = IpAddressFromSockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof(in));
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(*v4, *ParseIpAddress("127.0.0.1"));

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  ASSERT_EQ(inet_pton(AF_INET6, "fd00:ec2::254", &in6.sin6_addr), 1);
  auto v6 = IpAddressFromSockaddr(reinterpret_cast<const sockaddr*>(&in6), sizeof(in6));
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(*v6, *ParseIpAddress("fd00:ec2::254"));

  auto short_length = IpAddressFromSockaddr(reinterpret_cast<const sockaddr*>(&in6), sizeof(in));
  ASSERT_FALSE(short_length.has_value());
  EXPECT_EQ(short_length.error().code, "invalid_ip_address");
  sockaddr_storage unix_family{};
  unix_family.ss_family = AF_UNIX;
  EXPECT_FALSE(
      IpAddressFromSockaddr(reinterpret_cast<const sockaddr*>(&unix_family), sizeof(unix_family))
          .has_value());
  EXPECT_FALSE(IpAddressFromSockaddr(nullptr, 0).has_value());
}

// --- CIDR ----------------------------------------------------------------------------------

TEST(ParseCidrTest, ValidEntries) {
  auto loopback = ParseCidr("127.0.0.0/8");
  ASSERT_TRUE(loopback.has_value());
  EXPECT_TRUE(loopback->is_v4);
  EXPECT_EQ(loopback->prefix_length, 8);
  EXPECT_EQ(FormatCidr(*loopback), "127.0.0.0/8");
  EXPECT_EQ(FormatCidr(*ParseCidr("10.1.0.0/16")), "10.1.0.0/16");
  auto v6 = ParseCidr("::1/128");
  ASSERT_TRUE(v6.has_value());
  EXPECT_FALSE(v6->is_v4);
  EXPECT_EQ(v6->prefix_length, 128);
  EXPECT_EQ(FormatCidr(*ParseCidr("fd00::/8")), "fd00::/8");
  EXPECT_EQ(FormatCidr(*ParseCidr("0.0.0.0/0")), "0.0.0.0/0");
  EXPECT_EQ(FormatCidr(*ParseCidr("::/0")), "::/0");
  EXPECT_EQ(FormatCidr(*ParseCidr("1.2.3.4/32")), "1.2.3.4/32");
}

TEST(ParseCidrTest, HostBitsAreAcceptedAndMasked) {
  EXPECT_EQ(FormatCidr(*ParseCidr("10.1.2.3/16")), "10.1.0.0/16");
  EXPECT_EQ(FormatCidr(*ParseCidr("172.31.255.255/12")), "172.16.0.0/12");
  EXPECT_EQ(FormatCidr(*ParseCidr("fdab:cdef::1/8")), "fd00::/8");
  EXPECT_EQ(FormatCidr(*ParseCidr("2001:db8:ffff::1/33")), "2001:db8:8000::/33");
  EXPECT_EQ(FormatCidr(*ParseCidr("255.255.255.255/0")), "0.0.0.0/0");
}

TEST(ParseCidrTest, Errors) {
  for (std::string_view text :
       {"", "/8", "127.0.0.0", "127.0.0.0/", "127.0.0.0/33", "::1/129", "::/1000", "fd00::/-1",
        "10.0.0.0/+8", "10.0.0.0/8x", "10.0.0.0/8/8", "garbage", "garbage/8", "10.0.0/8",
        "10.0.0.0 /8", "10.0.0.0/ 8", "[::1]/128", "::1%lo/128"}) {
    auto cidr = ParseCidr(text);
    ASSERT_FALSE(cidr.has_value()) << text;
    EXPECT_EQ(cidr.error().code, "invalid_cidr") << text;
    EXPECT_EQ(cidr.error().kind, ErrorKind::kInvalidArgument) << text;
  }
  EXPECT_THAT(ParseCidr("127.0.0.0/33").error().message, HasSubstr("over 32"));
  EXPECT_THAT(ParseCidr("::1/129").error().message, HasSubstr("over 128"));
}

TEST(CidrContainsTest, Boundaries) {
  const Cidr cidr = *ParseCidr("172.16.0.0/12");
  EXPECT_FALSE(CidrContains(cidr, *ParseIpAddress("172.15.255.255")));
  EXPECT_TRUE(CidrContains(cidr, *ParseIpAddress("172.16.0.0")));
  EXPECT_TRUE(CidrContains(cidr, *ParseIpAddress("172.31.255.255")));
  EXPECT_FALSE(CidrContains(cidr, *ParseIpAddress("172.32.0.0")));
  EXPECT_FALSE(CidrContains(cidr, *ParseIpAddress("::ffff:172.16.0.1")));  // other family
  const Cidr v6 = *ParseCidr("fe80::/10");
  EXPECT_TRUE(CidrContains(v6, *ParseIpAddress("febf::1")));
  EXPECT_FALSE(CidrContains(v6, *ParseIpAddress("fec0::1")));
  EXPECT_TRUE(CidrContains(*ParseCidr("::/0"), *ParseIpAddress("2606:4700::1")));
}

// --- URLs ----------------------------------------------------------------------------------

Error UrlRefused(std::string_view url) {
  auto parsed = ParseWebhookUrl(url);
  EXPECT_FALSE(parsed.has_value()) << url << " was accepted";
  if (parsed) return Error{};
  EXPECT_EQ(parsed.error().code, "invalid_url") << url;
  EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidArgument) << url;
  EXPECT_EQ(parsed.error().param, "url") << url;
  return parsed.error();
}

TEST(ParseWebhookUrlTest, HttpsDefaults) {
  auto url = ParseWebhookUrl("https://example.com");
  ASSERT_TRUE(url.has_value()) << url.error().message;
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->path, "/");
  EXPECT_FALSE(url->host_is_literal);
}

TEST(ParseWebhookUrlTest, HttpDefaultsAndPathQuery) {
  auto url = ParseWebhookUrl("http://hooks.example.com/recur/in?tenant=7&x=%20y");
  ASSERT_TRUE(url.has_value()) << url.error().message;
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "hooks.example.com");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->path, "/recur/in?tenant=7&x=%20y");

  auto query_only = ParseWebhookUrl("https://example.com?a=b");
  ASSERT_TRUE(query_only.has_value());
  EXPECT_EQ(query_only->path, "/?a=b");
  EXPECT_EQ(query_only->host, "example.com");
}

TEST(ParseWebhookUrlTest, ExplicitPortAndAtInPath) {
  auto url = ParseWebhookUrl("https://example.com:8443/a@b");
  ASSERT_TRUE(url.has_value()) << url.error().message;
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/a@b");
  EXPECT_EQ(ParseWebhookUrl("http://example.com:1/")->port, 1);
  EXPECT_EQ(ParseWebhookUrl("http://example.com:65535/")->port, 65535);
}

TEST(ParseWebhookUrlTest, SchemeAndHostNormalized) {
  auto url = ParseWebhookUrl("HTTPS://Hooks.EXAMPLE.com/Path/Kept");
  ASSERT_TRUE(url.has_value()) << url.error().message;
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "hooks.example.com");
  EXPECT_EQ(url->path, "/Path/Kept");
  EXPECT_EQ(ParseWebhookUrl("HtTp://a.b")->scheme, "http");
  EXPECT_EQ(ParseWebhookUrl("https://example.com./")->host, "example.com.");
  EXPECT_EQ(ParseWebhookUrl("https://my_host.example/")->host, "my_host.example");
}

TEST(ParseWebhookUrlTest, Ipv4Literal) {
  auto url = ParseWebhookUrl("http://203.0.113.9:8080/x");
  ASSERT_TRUE(url.has_value()) << url.error().message;
  EXPECT_EQ(url->host, "203.0.113.9");
  EXPECT_EQ(url->port, 8080);
  EXPECT_TRUE(url->host_is_literal);
}

TEST(ParseWebhookUrlTest, BracketedIpv6LiteralWithPort) {
  auto url = ParseWebhookUrl("https://[2606:4700:4700:0::1111]:8443/hook");
  ASSERT_TRUE(url.has_value()) << url.error().message;
  EXPECT_EQ(url->host, "2606:4700:4700::1111");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/hook");
  EXPECT_TRUE(url->host_is_literal);

  auto no_port = ParseWebhookUrl("http://[::FFFF:127.0.0.1]");
  ASSERT_TRUE(no_port.has_value()) << no_port.error().message;
  EXPECT_EQ(no_port->host, "::ffff:127.0.0.1");
  EXPECT_EQ(no_port->port, 80);
  EXPECT_EQ(no_port->path, "/");
}

TEST(ParseWebhookUrlTest, OtherSchemesRefused) {
  EXPECT_THAT(UrlRefused("ftp://example.com/").message, HasSubstr("\"ftp\""));
  EXPECT_THAT(UrlRefused("javascript:alert(1)").message, HasSubstr("\"javascript\""));
  UrlRefused("file:///etc/passwd");
  UrlRefused("gopher://example.com/");
  UrlRefused("httpx://example.com/");
  UrlRefused("example.com/path");
  UrlRefused("://example.com");
  UrlRefused("https:example.com");
  UrlRefused("https:/example.com");
  UrlRefused("");
}

TEST(ParseWebhookUrlTest, MissingHostRefused) {
  EXPECT_THAT(UrlRefused("https:///path").message, HasSubstr("no host"));
  UrlRefused("https://");
  UrlRefused("https://:443/");
  UrlRefused("https://[]/");
  UrlRefused("https://?q");
}

TEST(ParseWebhookUrlTest, CredentialsRefused) {
  EXPECT_THAT(UrlRefused("https://user:pass@example.com/").message, HasSubstr("credentials"));
  UrlRefused("https://user@example.com/");
  UrlRefused("https://@example.com/");
  UrlRefused("https://example.com@127.0.0.1/");
}

TEST(ParseWebhookUrlTest, FragmentRefused) {
  EXPECT_THAT(UrlRefused("https://example.com/hook#frag").message, HasSubstr("fragment"));
  UrlRefused("https://example.com#");
}

TEST(ParseWebhookUrlTest, PortsOutsideRangeRefused) {
  EXPECT_THAT(UrlRefused("https://example.com:0/").message, HasSubstr("1..65535"));
  EXPECT_THAT(UrlRefused("https://example.com:70000/").message, HasSubstr("1..65535"));
  UrlRefused("https://example.com:65536/");
  UrlRefused("https://example.com:99999999999999999999999/");
  UrlRefused("https://example.com:-1/");
  UrlRefused("https://example.com:+80/");
  UrlRefused("https://example.com:80a/");
  UrlRefused("https://example.com:/");
  UrlRefused("https://[::1]:0/");
}

TEST(ParseWebhookUrlTest, SpacesControlAndOddBytesRefused) {
  EXPECT_THAT(UrlRefused("https://example.com/a b").message, HasSubstr("space"));
  EXPECT_THAT(UrlRefused("https://example.com/\r\nHost: evil").message, HasSubstr("control"));
  UrlRefused("https://example.com/\t");
  UrlRefused(std::string("https://example.com/\0", 21));
  UrlRefused("https://example.com/\x7f");
  UrlRefused(" https://example.com/");
  UrlRefused("https://exämple.com/");
  EXPECT_THAT(UrlRefused("https://example.com/caf\xc3\xa9").message, HasSubstr("non-ASCII"));
  UrlRefused("https://example.com\\@evil.com/");
}

TEST(ParseWebhookUrlTest, MalformedHostsRefused) {
  UrlRefused("https://::1/");               // unbracketed IPv6
  UrlRefused("https://[::1/");              // unclosed bracket
  UrlRefused("https://[::1]x/");            // junk after bracket
  UrlRefused("https://[127.0.0.1]/");       // IPv4 in brackets
  UrlRefused("https://[fe80::1%25eth0]/");  // zone index
  UrlRefused("https://[not-an-ip]/");
  UrlRefused("https://exa%6Dple.com/");
  UrlRefused("https://a..b/");
  UrlRefused("https://.example.com/");
  UrlRefused("https://exa*mple.com/");
  UrlRefused("https://" + std::string(64, 'a') + ".com/");
}

TEST(ParseWebhookUrlTest, AmbiguousNumericHostsRefused) {
  for (std::string_view url : {"http://127.1/", "http://2130706433/", "http://0x7f.0.0.1/",
                               "http://0177.0.0.1/", "http://127.0.0.01/", "http://1.2.3.4.5/",
                               "http://256.0.0.1/", "http://foo.0x10/", "http://example.123/"}) {
    EXPECT_THAT(UrlRefused(url).message, HasSubstr("numeric")) << url;
  }
  EXPECT_TRUE(ParseWebhookUrl("http://123.example.com/").has_value());
  EXPECT_TRUE(ParseWebhookUrl("http://0xdead.example/").has_value());
}

TEST(ParseWebhookUrlTest, LengthLimit) {
  const std::string prefix = "https://example.com/";
  const std::string at_limit = prefix + std::string(kMaxWebhookUrlLength - prefix.size(), 'a');
  EXPECT_TRUE(ParseWebhookUrl(at_limit).has_value());
  EXPECT_THAT(UrlRefused(at_limit + "a").message, HasSubstr("2049 bytes"));
}

}  // namespace
}  // namespace recur::url_policy_test
