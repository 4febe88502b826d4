// normalise_target: a table of normal and hostile request-targets.
#include "origin/target.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace circlecdn::origin {
namespace {

struct accepted_case {
  std::string target;
  std::string expected;
};

class accepted : public ::testing::TestWithParam<accepted_case> {};

TEST_P(accepted, normalises_to_expected_path) {
  const auto result = normalise_target(GetParam().target);
  ASSERT_TRUE(std::holds_alternative<std::string>(result)) << GetParam().target;
  EXPECT_EQ(std::get<std::string>(result), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    normalise, accepted,
    ::testing::Values(
        accepted_case{"/", "/"}, accepted_case{"/index.html", "/index.html"},
        accepted_case{"/img/cat.png", "/img/cat.png"},
        accepted_case{"/img/cat.png?v=3&x=../..", "/img/cat.png"}, accepted_case{"/?", "/"},
        accepted_case{"/docs/", "/docs/"}, accepted_case{"//a///b", "/a/b"},
        accepted_case{"/a//", "/a/"}, accepted_case{"/./a/./b", "/a/b"},
        accepted_case{"/a/.", "/a/"}, accepted_case{"/.", "/"},
        accepted_case{"/a%20b.txt", "/a b.txt"}, accepted_case{"/%41%62c", "/Abc"},
        accepted_case{"/%e2%82%ac", "/\xe2\x82\xac"},
        accepted_case{"/%2525", "/%25"},  // decoded once, never twice
        accepted_case{"/...", "/..."}, accepted_case{"/..a", "/..a"}, accepted_case{"/a..", "/a.."},
        accepted_case{"/.well-known/x", "/.well-known/x"}, accepted_case{"/a.%2e.b", "/a...b"},
        accepted_case{"/caf\xc3\xa9", "/caf\xc3\xa9"}, accepted_case{"/a+b", "/a+b"},
        accepted_case{"/" + std::string(2047, 'x'), "/" + std::string(2047, 'x')}));

struct refused_case {
  std::string target;
  target_error expected;
};

class refused : public ::testing::TestWithParam<refused_case> {};

TEST_P(refused, is_refused_with_expected_error) {
  const auto result = normalise_target(GetParam().target);
  ASSERT_TRUE(std::holds_alternative<target_error>(result))
      << GetParam().target << " -> " << std::get<std::string>(result);
  EXPECT_EQ(std::get<target_error>(result), GetParam().expected) << GetParam().target;
}

using enum target_error;

INSTANTIATE_TEST_SUITE_P(
    normalise, refused,
    ::testing::Values(
        // not origin-form
        refused_case{"", bad_request}, refused_case{"index.html", bad_request},
        refused_case{"*", bad_request}, refused_case{"http://x/../", bad_request},
        refused_case{"example.com:443", bad_request},
        // bad escapes and control characters
        refused_case{"/%", bad_request}, refused_case{"/%4", bad_request},
        refused_case{"/a%zz", bad_request}, refused_case{"/a%g0", bad_request},
        refused_case{"/a%00b", bad_request}, refused_case{"/a%0a", bad_request},
        refused_case{"/a%0D%0ASet-Cookie:x", bad_request}, refused_case{"/a%7f", bad_request},
        refused_case{std::string("/a\0b", 4), bad_request}, refused_case{"/a\tb", bad_request},
        refused_case{"/a b", bad_request}, refused_case{"/a#frag", bad_request},
        // climbing
        refused_case{"/..", forbidden}, refused_case{"/../etc/passwd", forbidden},
        refused_case{"/a/../b", forbidden}, refused_case{"/a/..", forbidden},
        refused_case{"/a/../", forbidden}, refused_case{"/%2e%2e/etc/passwd", forbidden},
        refused_case{"/%2E%2E", forbidden}, refused_case{"/.%2e/x", forbidden},
        refused_case{"/%2e./x", forbidden}, refused_case{"/%2e/x", forbidden},
        refused_case{"/a/%2E", forbidden}, refused_case{"/%2E%2E%2F%2E%2E%2Fetc", forbidden},
        refused_case{"/a%2fb", forbidden}, refused_case{"/a%2Fb", forbidden},
        refused_case{"/a%5cb", forbidden}, refused_case{"/a%5C..%5Cb", forbidden},
        refused_case{"/a\\b", forbidden}, refused_case{"/..\\..\\etc", forbidden},
        refused_case{"/a/..?x", forbidden},
        // too long
        refused_case{"/" + std::string(2048, 'x'), uri_too_long},
        refused_case{"/" + std::string(3000, 'x'), uri_too_long},
        refused_case{"/a?" + std::string(3000, 'q'), uri_too_long},
        refused_case{std::string(3000, '.'), uri_too_long}));

}  // namespace
}  // namespace circlecdn::origin
