#include "core/http_date.hpp"

#include <gtest/gtest.h>

#include <regex>

using namespace circlecdn;

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(1798761599), "Thu, 31 Dec 2026 23:59:59 GMT");
}

TEST(HttpDate, NowIsWellFormed) {
  std::regex imf(
      R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)");
  EXPECT_TRUE(std::regex_match(std::string(http_date_now()), imf)) << http_date_now();
}
