// The access log's two line formats: combined (with hostile header bytes escaped, so a visitor
// cannot forge a field or a line) and JSON lines.
#include "app/access_log.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace circlecdn;
using namespace circlecdn::app;

namespace {

access_record sample() {
  access_record r;
  r.when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'780'000'000'123));
  r.client = asio::ip::make_address("2001:db8::7");
  r.method = "GET";
  r.target = "/a b?x=\"1\"";
  r.version = 11;
  r.status = 206;
  r.body_bytes = 1024;
  r.referer = "";
  r.user_agent = "evil\"agent\n1.2.3.4 - - forged";
  r.duration = std::chrono::microseconds(2500);
  return r;
}

}  // namespace

TEST(AccessLogFormat, CombinedEscapesQuotesAndNewlines) {
  EXPECT_EQ(combined_line(sample()),
            "2001:db8::7 - - [28/May/2026:20:26:40 +0000] \"GET /a b?x=\\x221\\x22 HTTP/1.1\" 206 "
            "1024 \"-\" \"evil\\x22agent\\x0A1.2.3.4 - - forged\" 0.003\n");
}

TEST(AccessLogFormat, JsonIsOneParsableObjectPerLine) {
  auto line = json_line(sample());
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto o = boost::json::parse(line).as_object();
  EXPECT_EQ(o.at("time"), "2026-05-28T20:26:40.123Z");
  EXPECT_EQ(o.at("client"), "2001:db8::7");
  EXPECT_EQ(o.at("target"), "/a b?x=\"1\"");
  EXPECT_EQ(o.at("protocol"), "HTTP/1.1");
  EXPECT_EQ(o.at("status"), 206);
  EXPECT_EQ(o.at("bytes"), 1024);
  EXPECT_EQ(o.at("user_agent"), "evil\"agent\n1.2.3.4 - - forged");
  EXPECT_EQ(o.at("duration_ms").as_double(), 2.5);
}

TEST(AccessLogFormat, RefusesAFileItCannotOpenNamingTheOption) {
  try {
    access_log log("/nonexistent/dir/access.log", access_format::combined);
    FAIL() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("--access-log: cannot open")) << e.what();
  }
}
