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

TEST(HttpDate, ParsesImfFixdateBackToSeconds) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date(format_http_date(1798761599)), 1798761599);
  EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
}

TEST(HttpDate, RefusesWhatIsNotAnImfFixdate) {
  for (const char* bad : {"", "yesterday", "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850
                          "Sun Nov  6 08:49:37 1994",                         // asctime
                          "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nox 1994 08:49:37 GMT",
                          "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT",
                          "Sun, 06 Nov 19x4 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT"})
    EXPECT_FALSE(parse_http_date(bad)) << bad;
}
