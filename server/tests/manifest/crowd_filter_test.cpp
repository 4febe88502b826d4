// crowd_filter: which URL paths --crowd-include / --crowd-exclude let the crowd carry.
#include "manifest/crowd_filter.hpp"

#include <gtest/gtest.h>

namespace circlecdn::manifest {
namespace {

TEST(crowd_filter, no_globs_carry_everything) {
  EXPECT_TRUE(crowd_filter{}.carries("/a/b.png"));
}

TEST(crowd_filter, star_crosses_slashes_and_matches_whole_paths) {
  crowd_filter f{{"*.png"}, {}};
  EXPECT_TRUE(f.carries("/deep/dir/x.png"));
  EXPECT_FALSE(f.carries("/x.png.txt"));
  EXPECT_FALSE(crowd_filter({{"/img"}, {}}).carries("/img/a.png"));
  EXPECT_TRUE(crowd_filter({{"/img/*"}, {}}).carries("/img/a/b.png"));
}

TEST(crowd_filter, exclude_wins_over_include) {
  crowd_filter f{{"/img/*"}, {"*/private/*", "*.[Pp][Dd][Ff]"}};
  EXPECT_TRUE(f.carries("/img/a.png"));
  EXPECT_FALSE(f.carries("/img/private/a.png"));
  EXPECT_FALSE(f.carries("/img/doc.PDF"));
  EXPECT_FALSE(f.carries("/css/site.css"));
}

TEST(crowd_filter, special_characters_in_paths_are_literal) {
  crowd_filter f{{}, {"/a?c"}};
  EXPECT_FALSE(f.carries("/abc"));
  EXPECT_FALSE(f.carries("/a/c"));  // without FNM_PATHNAME `?` matches `/` too: documented
  crowd_filter g{{}, {"/[x"}};      // a malformed bracket matches only itself
  EXPECT_FALSE(g.carries("/[x"));
  EXPECT_TRUE(g.carries("/x"));
}

}  // namespace
}  // namespace circlecdn::manifest
