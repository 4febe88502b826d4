// Cache-Control by path: the operator's rules in order, then the defaults by fingerprint.
#include "origin/cache_policy.hpp"

#include <gtest/gtest.h>

namespace circlecdn::origin {
namespace {

TEST(cache_policy, fingerprinted_names) {
  for (const char* yes : {"/app.3f9a2b7c.js", "/assets/index.3F9A2B7C.css", "/main-0a1b2c3d4e5f.js",
                          "/chunk-5KQ2ZJ7N.js", "/img/logo.d41d8cd98f00b204e9800998ecf8427e.png",
                          "/a.b.1234abcd.min.js"})
    EXPECT_TRUE(is_fingerprinted(yes)) << yes;
  for (const char* no : {"/app.js", "/index.html", "/report-20240101.pdf", "/database.json",
                         "/deadbeefcafe.txt" /* letters only */, "/12345678.txt" /* digits only */,
                         "/app.3f9a2b7.js" /* 7 */, "/DeadBeef12.js" /* mixed case */, "/3f9a2b7c",
                         "/3f9a2b7c/app.js" /* a directory, not the name */,
                         "/file.3f9a2b7c" /* the extension */, "/Chunk-5kq2zj7n.js"})
    EXPECT_FALSE(is_fingerprinted(no)) << no;
}

TEST(cache_policy, defaults) {
  const cache_policy p;
  EXPECT_EQ(p.for_path("/app.3f9a2b7c.js"), "public, max-age=31536000, immutable");
  EXPECT_EQ(p.for_path("/app.js"), "no-cache");
  EXPECT_EQ(p.for_path("/index.html"), "no-cache");
}

TEST(cache_policy, first_matching_rule_wins_then_the_defaults) {
  std::string error;
  const cache_policy p({*parse_cache_rule("/fonts/*=public, max-age=604800", error),
                        *parse_cache_rule("*.woff2=no-store", error),
                        *parse_cache_rule("/admin/*=private, no-store", error)});
  EXPECT_EQ(p.for_path("/fonts/a.woff2"), "public, max-age=604800");
  EXPECT_EQ(p.for_path("/b.woff2"), "no-store");
  EXPECT_EQ(p.for_path("/admin/x/y.html"), "private, no-store");  // `*` crosses '/'
  EXPECT_EQ(p.for_path("/app.3f9a2b7c.js"), "public, max-age=31536000, immutable");
  EXPECT_EQ(p.for_path("/other.txt"), "no-cache");
}

TEST(cache_policy, bad_rules_are_refused_with_a_reason) {
  std::string error;
  for (const char* bad : {"no-equals", "=no-cache", "assets/*=no-cache", "/a=", "/a=x\ny"}) {
    error.clear();
    EXPECT_FALSE(parse_cache_rule(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  const auto ok = parse_cache_rule("/a/*=public, max-age=60=yes", error);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->glob, "/a/*");
  EXPECT_EQ(ok->value, "public, max-age=60=yes");  // split at the first '='
}

}  // namespace
}  // namespace circlecdn::origin
