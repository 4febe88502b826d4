#include "net/cidr.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using circlecdn::net::cidr;

namespace {
asio::ip::address ip(const char* s) {
  return asio::ip::make_address(s);
}
}  // namespace

TEST(Cidr, Ipv4RangesAndSingleHosts) {
  auto r = cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(ip("10.0.0.1")));
  EXPECT_TRUE(r->contains(ip("10.255.255.255")));
  EXPECT_FALSE(r->contains(ip("11.0.0.0")));
  EXPECT_FALSE(r->contains(ip("9.255.255.255")));
  auto host = cidr::parse("127.0.0.1");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->prefix(), 32u);
  EXPECT_TRUE(host->contains(ip("127.0.0.1")));
  EXPECT_FALSE(host->contains(ip("127.0.0.2")));
}

TEST(Cidr, PrefixesThatSplitAByte) {
  auto r = cidr::parse("192.168.4.0/22");  // 192.168.4.0 - 192.168.7.255
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->contains(ip("192.168.3.255")));
  EXPECT_TRUE(r->contains(ip("192.168.4.0")));
  EXPECT_TRUE(r->contains(ip("192.168.7.255")));
  EXPECT_FALSE(r->contains(ip("192.168.8.0")));
  auto odd = cidr::parse("172.16.0.0/12");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(ip("172.31.255.1")));
  EXPECT_FALSE(odd->contains(ip("172.32.0.1")));
}

TEST(Cidr, HostBitsPastThePrefixAreIgnored) {
  auto r = cidr::parse("10.1.2.3/8");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(ip("10.200.0.1")));
}

TEST(Cidr, ZeroPrefixMatchesEveryAddressOfItsFamily) {
  auto v4 = cidr::parse("0.0.0.0/0");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->contains(ip("203.0.113.9")));
  EXPECT_FALSE(v4->contains(ip("2001:db8::1")));
}

TEST(Cidr, Ipv6RangesAndHosts) {
  auto r = cidr::parse("2001:db8::/32");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->is_v4());
  EXPECT_TRUE(r->contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(r->contains(ip("2001:db9::1")));
  EXPECT_FALSE(r->contains(ip("10.0.0.1")));
  auto lo = cidr::parse("::1/128");
  ASSERT_TRUE(lo);
  EXPECT_TRUE(lo->contains(ip("::1")));
  EXPECT_FALSE(lo->contains(ip("::2")));
  auto nibble = cidr::parse("fd00:ab00::/26");
  ASSERT_TRUE(nibble);
  EXPECT_TRUE(nibble->contains(ip("fd00:ab3f::1")));
  EXPECT_FALSE(nibble->contains(ip("fd00:ab40::1")));
}

TEST(Cidr, V4MappedAddressesMatchAsIpv4) {
  auto r = cidr::parse("127.0.0.0/8");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(ip("::ffff:127.0.0.1")));
  auto mapped = cidr::parse("::ffff:10.0.0.0/8");  // written mapped: still the IPv4 range
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->is_v4());
  EXPECT_TRUE(mapped->contains(ip("10.9.9.9")));
}

TEST(Cidr, MalformedTextIsRefused) {
  for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/8x", "10.0.0/8",
                          "example.com/8", "10.0.0.0/-1", "/8", "10.0.0.0//8"})
    EXPECT_FALSE(cidr::parse(bad).has_value()) << bad;
}
