#include "net/forwarded.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace circlecdn;
using namespace circlecdn::net;

namespace {

asio::ip::address ip(const char* s) {
  return asio::ip::make_address(s);
}

std::vector<cidr> ranges(std::initializer_list<const char*> texts) {
  std::vector<cidr> out;
  for (auto t : texts) out.push_back(*cidr::parse(t));
  return out;
}

}  // namespace

TEST(ForwardedFor, RightMostUntrustedAddressIsTheClient) {
  auto trusted = ranges({"127.0.0.1/32", "10.0.0.0/8"});
  // client, then two of our proxies: the walk skips 10.0.0.7 and stops at 198.51.100.4.
  EXPECT_EQ(
      client_from_forwarded_for("203.0.113.1, 198.51.100.4, 10.0.0.7", ip("127.0.0.1"), trusted),
      ip("198.51.100.4"));
  // Whatever a visitor wrote on the left of its own address does not count.
  EXPECT_EQ(client_from_forwarded_for("1.1.1.1,203.0.113.1", ip("127.0.0.1"), trusted),
            ip("203.0.113.1"));
}

TEST(ForwardedFor, AllTrustedGivesTheLeftMost) {
  auto trusted = ranges({"10.0.0.0/8"});
  EXPECT_EQ(client_from_forwarded_for("10.1.1.1, 10.2.2.2", ip("10.9.9.9"), trusted),
            ip("10.1.1.1"));
}

TEST(ForwardedFor, MalformedEntryStopsTheWalk) {
  auto trusted = ranges({"127.0.0.1/32", "10.0.0.0/8"});
  EXPECT_EQ(client_from_forwarded_for("203.0.113.1, garbage, 10.0.0.7", ip("127.0.0.1"), trusted),
            ip("10.0.0.7"));
  EXPECT_EQ(client_from_forwarded_for("203.0.113.1:4711", ip("127.0.0.1"), trusted),
            ip("127.0.0.1"));
  EXPECT_EQ(client_from_forwarded_for(" , ", ip("127.0.0.1"), trusted), ip("127.0.0.1"));
}

TEST(ForwardedFor, Ipv6EntriesBracketedOrNot) {
  auto trusted = ranges({"::1/128"});
  EXPECT_EQ(client_from_forwarded_for("2001:db8::5", ip("::1"), trusted), ip("2001:db8::5"));
  EXPECT_EQ(client_from_forwarded_for("[2001:db8::6]", ip("::1"), trusted), ip("2001:db8::6"));
  EXPECT_EQ(client_from_forwarded_for("::ffff:203.0.113.1", ip("::1"), trusted), ip("203.0.113.1"));
}

TEST(ForwardedFor, UntrustedPeerIsTheClientWhateverTheListSays) {
  auto trusted = ranges({"10.0.0.0/8"});
  EXPECT_EQ(client_from_forwarded_for("10.0.0.1", ip("203.0.113.9"), trusted), ip("203.0.113.9"));
}

TEST(RequestOrigin, HeadersCountOnlyFromATrustedPeer) {
  http::fields h;
  h.set("X-Forwarded-Proto", "https");
  h.set("X-Forwarded-For", "203.0.113.1");
  auto trusted = ranges({"127.0.0.1/32"});
  auto from_proxy = origin_of(h, ip("127.0.0.1"), false, trusted);
  EXPECT_TRUE(from_proxy.https);
  EXPECT_EQ(from_proxy.client, ip("203.0.113.1"));
  auto forged = origin_of(h, ip("198.51.100.2"), false, trusted);
  EXPECT_FALSE(forged.https);
  EXPECT_EQ(forged.client, ip("198.51.100.2"));
  auto nobody_trusted = origin_of(h, ip("127.0.0.1"), false, {});
  EXPECT_FALSE(nobody_trusted.https);
  EXPECT_EQ(nobody_trusted.client, ip("127.0.0.1"));
}

TEST(RequestOrigin, SchemeAndListsAcrossSeveralFields) {
  http::fields h;
  h.insert("X-Forwarded-Proto", "http, HTTPS");  // the nearest proxy's word is the last
  h.insert("X-Forwarded-For", "203.0.113.1");
  h.insert("X-Forwarded-For", "198.51.100.7, 127.0.0.1");
  auto o = origin_of(h, ip("::ffff:127.0.0.1"), false, ranges({"127.0.0.1/32"}));
  EXPECT_TRUE(o.https);
  EXPECT_EQ(o.client, ip("198.51.100.7"));
  http::fields plain;
  plain.set("X-Forwarded-Proto", "http");
  EXPECT_FALSE(origin_of(plain, ip("127.0.0.1"), false, ranges({"127.0.0.1/32"})).https);
  EXPECT_TRUE(origin_of(plain, ip("127.0.0.1"), true, ranges({"127.0.0.1/32"})).https);  // our TLS
}
