// parse_range: the three single-range forms, the edges, and what is ignored.
#include "origin/range.hpp"

#include <gtest/gtest.h>

namespace circlecdn::origin {
namespace {

void expect_single(std::string_view header, std::uint64_t size, std::uint64_t first,
                   std::uint64_t length) {
  const auto r = parse_range(header, size);
  ASSERT_EQ(r.kind, range_kind::single) << header;
  EXPECT_EQ(r.range.first, first) << header;
  EXPECT_EQ(r.range.length, length) << header;
}

void expect_kind(std::string_view header, std::uint64_t size, range_kind kind) {
  EXPECT_EQ(parse_range(header, size).kind, kind) << header << " size " << size;
}

TEST(range, first_last) {
  expect_single("bytes=0-0", 10, 0, 1);
  expect_single("bytes=0-9", 10, 0, 10);
  expect_single("bytes=2-5", 10, 2, 4);
  expect_single("bytes=9-9", 10, 9, 1);
}

TEST(range, last_past_the_end_is_clamped) {
  expect_single("bytes=5-100", 10, 5, 5);
  expect_single("bytes=0-99999999999999999999999", 10, 0, 10);
}

TEST(range, open_ended) {
  expect_single("bytes=0-", 10, 0, 10);
  expect_single("bytes=7-", 10, 7, 3);
}

TEST(range, suffix) {
  expect_single("bytes=-1", 10, 9, 1);
  expect_single("bytes=-3", 10, 7, 3);
  expect_single("bytes=-10", 10, 0, 10);
  expect_single("bytes=-500", 10, 0, 10);  // longer than the file: the whole file
}

TEST(range, whitespace_and_unit_case_are_tolerated) {
  expect_single(" bytes = 1 - 2 ", 10, 1, 2);
  expect_single("Bytes=1-2", 10, 1, 2);
  expect_single("BYTES=-2", 10, 8, 2);
}

TEST(range, unsatisfiable) {
  expect_kind("bytes=10-", 10, range_kind::unsatisfiable);
  expect_kind("bytes=10-20", 10, range_kind::unsatisfiable);
  expect_kind("bytes=99999999999999999999999-", 10, range_kind::unsatisfiable);
  expect_kind("bytes=-0", 10, range_kind::unsatisfiable);
  expect_kind("bytes=0-", 0, range_kind::unsatisfiable);  // an empty file has no bytes to range
  expect_kind("bytes=-5", 0, range_kind::unsatisfiable);
}

TEST(range, invalid_syntax_is_ignored) {
  for (const char* header :
       {"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=1-a", "bytes=5-2", "bytes=--1",
        "bytes=1--2", "bytes=+1-2", "bytes 1-2", "bytes=0x1-2", "bytes=1 2-3"})
    expect_kind(header, 10, range_kind::none);
}

TEST(range, other_units_are_ignored) {
  expect_kind("items=0-1", 10, range_kind::none);
  expect_kind("bytesx=0-1", 10, range_kind::none);
}

TEST(range, multiple_ranges_serve_the_whole_file) {
  expect_kind("bytes=0-1,3-4", 10, range_kind::none);
  expect_kind("bytes=0-1, -2", 10, range_kind::none);
  expect_kind("bytes=20-30,40-50", 10, range_kind::none);
}

}  // namespace
}  // namespace circlecdn::origin
