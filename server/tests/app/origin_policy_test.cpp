// origin_policy: which pages may open the signaling socket.
#include "app/origin_policy.hpp"

#include <gtest/gtest.h>

namespace circlecdn::app {
namespace {

TEST(origin_policy, canonical_origin_lowercases_and_drops_default_ports) {
  EXPECT_EQ(canonical_origin("HTTPS://Example.COM:443"), "https://example.com");
  EXPECT_EQ(canonical_origin("http://example.com:80"), "http://example.com");
  EXPECT_EQ(canonical_origin("http://example.com:443"), "http://example.com:443");
  EXPECT_EQ(canonical_origin("https://[::1]:8443"), "https://[::1]:8443");
  EXPECT_EQ(canonical_origin("https://[::1]"), "https://[::1]");
  for (const char* bad :
       {"null", "", "example.com", "ftp://example.com", "https://", "https://a.com/path",
        "https://user@a.com", "https://a.com:x", "https://a.com:", "https://a.com?x"})
    EXPECT_FALSE(canonical_origin(bad)) << bad;
}

TEST(origin_policy, the_sites_own_origin_is_allowed_by_default) {
  origin_policy p;
  EXPECT_TRUE(origin_allowed("https://shop.example", "shop.example", true, p));
  EXPECT_TRUE(origin_allowed("https://shop.example", "Shop.Example:443", true, p));
  EXPECT_TRUE(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", false, p));
  // The scheme matters: a plain-http page of the same host is another origin.
  EXPECT_FALSE(origin_allowed("http://shop.example", "shop.example", true, p));
  EXPECT_FALSE(origin_allowed("https://shop.example:8443", "shop.example", true, p));
}

TEST(origin_policy, free_riding_other_sites_and_null_origins_are_refused) {
  origin_policy p;
  EXPECT_FALSE(origin_allowed("https://evil.example", "shop.example", true, p));
  EXPECT_FALSE(origin_allowed("null", "shop.example", true, p));
  EXPECT_FALSE(origin_allowed("https://shop.example.evil.example", "shop.example", true, p));
  EXPECT_FALSE(origin_allowed("https://shop.example", "", true, p));  // no Host: nothing is own
}

TEST(origin_policy, allowed_origins_are_added_and_canonicalised_once) {
  origin_policy p{{"HTTPS://Static.Example:443", "http://localhost:3000"}, false};
  canonicalise(p);
  EXPECT_EQ(p.allowed,
            (std::vector<std::string>{"https://static.example", "http://localhost:3000"}));
  EXPECT_TRUE(origin_allowed("https://static.example", "cdn.example", true, p));
  EXPECT_TRUE(origin_allowed("http://localhost:3000", "cdn.example", true, p));
  EXPECT_FALSE(origin_allowed("http://localhost:3001", "cdn.example", true, p));
  origin_policy bad{{"https://a.example/path"}, false};
  EXPECT_THROW(canonicalise(bad), std::invalid_argument);
}

TEST(origin_policy, a_missing_origin_is_allowed_unless_required) {
  origin_policy p;
  EXPECT_TRUE(origin_allowed(std::nullopt, "shop.example", true, p));
  p.require_origin = true;
  EXPECT_FALSE(origin_allowed(std::nullopt, "shop.example", true, p));
}

}  // namespace
}  // namespace circlecdn::app
