// If-None-Match and If-Range parsed by RFC 9110's grammar.
#include "origin/etag.hpp"

#include <gtest/gtest.h>

namespace circlecdn::origin {
namespace {

TEST(etag, none_match_lists_weak_comparison_and_star) {
  EXPECT_TRUE(none_match("\"a\"", "\"a\""));
  EXPECT_TRUE(none_match("W/\"a\"", "\"a\""));
  EXPECT_TRUE(none_match("\"a\"", "W/\"a\""));
  EXPECT_TRUE(none_match("\"x\", \"a\"", "\"a\""));
  EXPECT_TRUE(none_match("\"x\",\"y\" ,\t W/\"a\"", "\"a\""));
  EXPECT_TRUE(none_match(" , \"a\"", "\"a\""));  // empty list members are allowed
  EXPECT_TRUE(none_match("*", "\"a\""));
  EXPECT_TRUE(none_match("*", ""));  // any current representation
  EXPECT_FALSE(none_match("\"b\"", "\"a\""));
  EXPECT_FALSE(none_match("\"A\"", "\"a\""));  // opaque tags compare case-sensitively
  EXPECT_FALSE(none_match("\"\"", ""));
  EXPECT_FALSE(none_match("", "\"a\""));
}

TEST(etag, a_comma_inside_a_tag_is_part_of_it) {
  EXPECT_TRUE(none_match("\"a,b\"", "\"a,b\""));
  EXPECT_FALSE(none_match("\"a,b\"", "\"a\""));
  EXPECT_FALSE(none_match("\"x,\"a\"\"", "\"a\""));
}

TEST(etag, malformed_members_end_the_list) {
  EXPECT_FALSE(none_match("a", "\"a\""));
  EXPECT_FALSE(none_match("\"a", "\"a"));
  EXPECT_FALSE(none_match("\"x\" junk, \"a\"", "\"a\""));
  EXPECT_TRUE(none_match("\"a\", junk", "\"a\""));  // what came before still counts
  EXPECT_FALSE(none_match("\"a b\"", "\"a b\""));   // a space is not an etagc
}

TEST(etag, if_range_is_a_strong_comparison_of_one_tag) {
  EXPECT_TRUE(if_range_matches("\"a\"", "\"a\""));
  EXPECT_TRUE(if_range_matches("  \"a\" ", "\"a\""));
  EXPECT_FALSE(if_range_matches("W/\"a\"", "\"a\""));
  EXPECT_FALSE(if_range_matches("\"a\"", "W/\"a\""));
  EXPECT_FALSE(if_range_matches("\"a\", \"a\"", "\"a\""));
  EXPECT_FALSE(if_range_matches("Wed, 21 Oct 2015 07:28:00 GMT", "\"a\""));
  EXPECT_FALSE(if_range_matches("\"\"", ""));
}

}  // namespace
}  // namespace circlecdn::origin
