#include "app/redirect.hpp"

#include <gtest/gtest.h>

using circlecdn::app::https_location;

TEST(Redirect, HostWithoutItsPortAndTheTlsPort) {
  EXPECT_EQ(https_location("example.com", "/a?b=c", 443), "https://example.com/a?b=c");
  EXPECT_EQ(https_location("example.com:80", "/", 443), "https://example.com/");
  EXPECT_EQ(https_location("example.com:8080", "/x", 8443), "https://example.com:8443/x");
  EXPECT_EQ(https_location("127.0.0.1:1234", "/", 4430), "https://127.0.0.1:4430/");
  EXPECT_EQ(https_location("[2001:db8::1]:80", "/v6", 443), "https://[2001:db8::1]/v6");
  EXPECT_EQ(https_location("[::1]", "/", 8443), "https://[::1]:8443/");
}

TEST(Redirect, BadHostsAndTargetsAreRefused) {
  for (const char* host :
       {"", "evil.com/path", "a b", "user@evil.com", "evil.com:port", "evil.com:123456", ".evil",
        "-evil", "[::1", "[zz::1]", "[::1]x", "evil.com\r\nX: y", "[]"})
    EXPECT_FALSE(https_location(host, "/", 443).has_value()) << host;
  for (const char* target : {"", "*", "http://evil.com/", "evil", "/a b", "/a\r\nb"})
    EXPECT_FALSE(https_location("example.com", target, 443).has_value()) << target;
}
