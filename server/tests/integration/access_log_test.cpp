// The access log of the real binary: one line per HTTP request, WebSocket upgrades included, in
// the combined format or as JSON lines, with the client address from X-Forwarded-For only when
// the TCP peer is a trusted proxy.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/ws_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

namespace {

std::vector<std::string> lines_of(const std::filesystem::path& file, std::size_t at_least) {
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) {  // the server writes after the response: poll a little
    lines.clear();
    std::istringstream in(read_text(file));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    if (lines.size() >= at_least) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return lines;
}

// The same three requests in both formats: a file, a 404 behind a trusted proxy, an upgrade.
void make_requests(std::uint16_t port) {
  auto ok = get(port, "/a.txt?x=1",
                {{"Referer", "https://example.com/page"}, {"User-Agent", "agent \"quoted\" 1.0"}});
  ASSERT_EQ(ok.result_int(), 200);
  auto missing = get(port, "/missing", {{"X-Forwarded-For", "203.0.113.7"}});
  ASSERT_EQ(missing.result_int(), 404);
  ws_client ws(port);
  ws.close();
}

}  // namespace

TEST(AccessLog, JsonLinesForRequestsAndUpgrades) {
  temp_dir site;
  site.write("a.txt", "hello");
  temp_dir logs;
  auto file = logs.path() / "access.json";
  child_server server(CIRCLECDN_BIN, site.path(),
                      {"--listen", "127.0.0.1:0", "--access-log", file.string(),
                       "--access-log-format", "json", "--trust-proxy", "127.0.0.1/32"});
  make_requests(server.port);
  auto lines = lines_of(file, 3);
  ASSERT_EQ(lines.size(), 3u);
  auto a = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(a.at("client"), "127.0.0.1");
  EXPECT_EQ(a.at("method"), "GET");
  EXPECT_EQ(a.at("target"), "/a.txt?x=1");
  EXPECT_EQ(a.at("protocol"), "HTTP/1.1");
  EXPECT_EQ(a.at("status"), 200);
  EXPECT_EQ(a.at("bytes"), 5);
  EXPECT_EQ(a.at("referer"), "https://example.com/page");
  EXPECT_EQ(a.at("user_agent"), "agent \"quoted\" 1.0");
  EXPECT_GE(a.at("duration_ms").as_double(), 0.0);
  EXPECT_TRUE(std::regex_match(std::string(a.at("time").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  auto b = boost::json::parse(lines[1]).as_object();
  EXPECT_EQ(b.at("client"), "203.0.113.7");  // the trusted proxy spoke for the visitor
  EXPECT_EQ(b.at("status"), 404);
  auto c = boost::json::parse(lines[2]).as_object();
  EXPECT_EQ(c.at("target"), "/.circlecdn/ws");
  EXPECT_EQ(c.at("status"), 101);
  EXPECT_EQ(server.terminate_and_wait(), 0);
}

TEST(AccessLog, CombinedLinesForRequestsAndUpgrades) {
  temp_dir site;
  site.write("a.txt", "hello");
  temp_dir logs;
  auto file = logs.path() / "access.log";
  // No --trust-proxy: X-Forwarded-For from a direct peer is not believed.
  child_server server(CIRCLECDN_BIN, site.path(),
                      {"--listen", "127.0.0.1:0", "--access-log", file.string()});
  make_requests(server.port);
  auto lines = lines_of(file, 3);
  ASSERT_EQ(lines.size(), 3u);
  const std::regex combined(
      R"re((\S+) - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)" (\d+\.\d{3}))re");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(lines[0], m, combined)) << lines[0];
  EXPECT_EQ(m[1], "127.0.0.1");
  EXPECT_EQ(m[2], "GET /a.txt?x=1 HTTP/1.1");
  EXPECT_EQ(m[3], "200");
  EXPECT_EQ(m[4], "5");
  EXPECT_EQ(m[5], "https://example.com/page");
  EXPECT_EQ(m[6], R"(agent \x22quoted\x22 1.0)");  // a quote cannot end the field
  ASSERT_TRUE(std::regex_match(lines[1], m, combined)) << lines[1];
  EXPECT_EQ(m[1], "127.0.0.1");
  EXPECT_EQ(m[3], "404");
  EXPECT_EQ(m[5], "-");
  ASSERT_TRUE(std::regex_match(lines[2], m, combined)) << lines[2];
  EXPECT_EQ(m[2], "GET /.circlecdn/ws HTTP/1.1");
  EXPECT_EQ(m[3], "101");
  EXPECT_EQ(server.terminate_and_wait(), 0);
}

TEST(AccessLog, StderrWithDash) {
  temp_dir site;
  site.write("a.txt", "hello");
  temp_dir logs;
  auto err = logs.path() / "stderr.log";
  child_server server(CIRCLECDN_BIN, site.path(),
                      {"--listen", "127.0.0.1:0", "--access-log", "-", "--log-level", "warn"}, err);
  get(server.port, "/a.txt");
  EXPECT_TRUE(wait_for_text(err, "\"GET /a.txt HTTP/1.1\" 200 5"));
  EXPECT_EQ(server.terminate_and_wait(), 0);
}
