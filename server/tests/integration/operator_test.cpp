// The operator endpoints over real sockets: the token, /metrics following real HTTP requests and a
// real WebSocket pairing, and the dashboard's event stream.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/prom_text.hpp"
#include "support/temp_dir.hpp"
#include "support/test_site.hpp"
#include "support/ws_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

namespace {

prom_scrape scrape(std::uint16_t port) {
  auto res = get(port, "/metrics", operator_auth());
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  return parse_prom_text(res.body());
}

std::string want(int id, const std::string& hash) {
  return R"({"type":"want","id":)" + std::to_string(id) + R"(,"hash":")" + hash + R"("})";
}

const char* const guarded[] = {"/metrics", "/.circlecdn/stats", "/.circlecdn/dashboard/events"};

}  // namespace

TEST(Operator, WithoutATokenTheEndpointsAnswer404AndMetricsIsASitePath) {
  temp_dir site;
  site.write("index.html", "home");
  app::config cfg;
  cfg.site = site.path();
  cfg.listen_port = 0;
  app::server server(cfg);
  auto port = server.start();
  for (auto path : {"/.circlecdn/stats", "/.circlecdn/dashboard", "/.circlecdn/dashboard.js",
                    "/.circlecdn/dashboard/events", "/metrics"}) {
    EXPECT_EQ(get(port, path).result_int(), 404u) << path;
    EXPECT_EQ(get(port, path, operator_auth()).result_int(), 404u) << path << " (with a token)";
  }
  site.write("metrics", "the site's own page");
  server.stop();
  app::server again(cfg);
  port = again.start();
  EXPECT_EQ(get(port, "/metrics").body(), "the site's own page");
  again.stop();
}

TEST(Operator, MissingOrWrongTokenGets401WithABearerChallenge) {
  test_site site;
  for (auto path : guarded) {
    for (const header_list& headers :
         {header_list{}, header_list{{"Authorization", "Bearer wrong-token-of-some-length"}},
          header_list{{"Authorization", "Bearer " + operator_token + "x"}},
          header_list{{"Authorization", "Bearer " + operator_token.substr(1)}},
          header_list{{"Authorization", "Basic " + operator_token}}}) {
      auto res = get(site.port, path, headers);
      EXPECT_EQ(res.result_int(), 401u) << path;
      EXPECT_EQ(res[http::field::www_authenticate], "Bearer realm=\"circlecdn\"") << path;
      EXPECT_EQ(res.body().find("peers_online"), std::string::npos) << path;
    }
  }
  EXPECT_EQ(get(site.port, "/.circlecdn/stats", operator_auth()).result_int(), 200u);
  // The dashboard page holds no data: it is served, and asks the operator for the token.
  auto page = get(site.port, "/.circlecdn/dashboard");
  EXPECT_EQ(page.result_int(), 200u);
  EXPECT_NE(page.body().find("Operator token"), std::string::npos);
  EXPECT_NE(page[http::field::content_type].find("text/html"), std::string_view::npos);
  EXPECT_NE(page["Content-Security-Policy"].find("default-src 'none'"), std::string_view::npos);
}

TEST(Operator, MetricsFollowRealRequestsAndARealPairing) {
  test_site site;
  ws_client holder(site.port), wanter(site.port);
  auto before = scrape(site.port);

  EXPECT_EQ(get(site.port, "/f1.txt").body(), test_site::content(1));
  EXPECT_EQ(get(site.port, "/f1.txt").body(), test_site::content(1));
  EXPECT_EQ(get(site.port, "/no-such-file").result_int(), 404u);
  EXPECT_EQ(get(site.port, "/big.bin", {{"Range", "bytes=100-199"}}).body().size(), 100u);

  holder.send(R"({"type":"announce","have":[")" + test_site::hash(0) + R"("]})");
  wanter.send(want(1, test_site::hash(0)));
  auto match = wanter.read_type("match");
  EXPECT_EQ(str(match["peer"]), holder.peer());
  holder.read_type("push");
  const auto bytes = test_site::content(0).size();
  wanter.send(R"({"type":"done","id":1,"ok":true,"bytes":)" + std::to_string(bytes) + "}");
  wanter.send(want(2, std::string(64, 'f')));  // in no manifest
  EXPECT_EQ(str(wanter.read_type("miss")["reason"]), "unknown_hash");
  wanter.send(R"({"type":"usage","peer":)" + std::to_string(bytes) +
              R"(,"origin":22,"store":0,"ms":{"peer":[120]}})");
  wanter.send(want(3, std::string(64, 'e')));  // answered after the usage is processed
  wanter.read_type("miss");

  auto after = scrape(site.port);
  auto delta = [&](const std::string& series) { return after.at(series) - before.at(series); };
  // The first scrape's own 200 is counted once it is written, so it shows in the second.
  EXPECT_EQ(delta("circlecdn_http_requests_total{code=\"200\"}"), 3);
  EXPECT_EQ(delta("circlecdn_http_requests_total{code=\"404\"}"), 1);
  EXPECT_EQ(delta("circlecdn_http_requests_total{code=\"206\"}"), 1);
  EXPECT_EQ(delta("circlecdn_http_response_seconds_count"), 5);
  EXPECT_EQ(delta("circlecdn_origin_bytes_total"), 2.0 * test_site::content(1).size() + 100);
  EXPECT_EQ(after.at("circlecdn_peers_online"), 2);
  EXPECT_EQ(delta("circlecdn_signal_messages_total{type=\"announce\"}"), 1);
  EXPECT_EQ(delta("circlecdn_signal_messages_total{type=\"want\"}"), 3);
  EXPECT_EQ(delta("circlecdn_signal_messages_total{type=\"done\"}"), 1);
  EXPECT_EQ(delta("circlecdn_signal_messages_total{type=\"usage\"}"), 1);
  EXPECT_EQ(delta("circlecdn_pairings_total"), 1);
  EXPECT_EQ(delta("circlecdn_misses_total{reason=\"unknown_hash\"}"), 2);
  EXPECT_EQ(delta("circlecdn_want_decision_seconds_count"), 3);
  EXPECT_EQ(delta("circlecdn_pairing_seconds_count"), 1);
  EXPECT_EQ(delta("circlecdn_peer_transfer_bytes_total"), static_cast<double>(bytes));
  EXPECT_EQ(delta("circlecdn_reported_bytes_total{source=\"peer\"}"), static_cast<double>(bytes));
  EXPECT_EQ(delta("circlecdn_reported_bytes_total{source=\"origin\"}"), 22);
  EXPECT_EQ(delta("circlecdn_reported_resource_seconds_count{source=\"peer\"}"), 1);
  EXPECT_EQ(delta("circlecdn_reported_resource_seconds_bucket{le=\"0.25\",source=\"peer\"}"), 1);
  EXPECT_EQ(delta("circlecdn_reported_resource_seconds_bucket{le=\"0.1\",source=\"peer\"}"), 0);
  EXPECT_GT(after.at("circlecdn_process_resident_memory_bytes"), 1e6);
  EXPECT_GE(after.at("circlecdn_process_open_fds"), 3);  // the listener and two WebSockets
  EXPECT_EQ(after.at("circlecdn_manifest_files"), 9);    // 8 small files and big.bin
  EXPECT_EQ(after.at("circlecdn_manifest_generation"), 1);
}

TEST(Operator, ScrapeOfABusyServerPassesPromtool) {
  test_site site;
  ws_client a(site.port), b(site.port);
  a.send(R"({"type":"announce","have":[")" + test_site::hash(2) + R"("]})");
  b.send(want(1, test_site::hash(2)));
  b.read_type("match");
  b.send(R"({"type":"done","id":1,"ok":false,"reason":"timeout"})");
  b.send("not json");
  get(site.port, "/f3.txt");
  auto text = get(site.port, "/metrics", operator_auth()).body();
  EXPECT_NO_THROW(parse_prom_text(text));
  auto result = promtool_check(text);
  if (!result)
    GTEST_SKIP() << "promtool not installed (Debian package `prometheus`, listed in "
                    "scripts/apt-packages.txt)";
  EXPECT_EQ(result->first, 0) << result->second;
}

TEST(Operator, DashboardStreamSendsFramesOnlyWithTheToken) {
  test_site site;
  ws_client a(site.port);
  asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), site.port});
  asio::write(s,
              asio::buffer(build_request("GET", "/.circlecdn/dashboard/events", operator_auth())));
  std::string got;
  // Two frames: the head with `retry`, then a data frame; the socket has a receive deadline via
  // SO_RCVTIMEO so a silent server fails the test instead of hanging it.
  timeval tv{10, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (got.find("data: ") == std::string::npos ||
         got.find("\n\n", got.find("data: ")) == std::string::npos) {
    char buf[4096];
    auto n = ::recv(s.native_handle(), buf, sizeof buf, 0);
    ASSERT_GT(n, 0) << "stream ended or timed out after: " << got;
    got.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_TRUE(got.starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_NE(got.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  auto data = got.substr(got.find("data: ") + 6);
  data = data.substr(0, data.find("\n\n"));
  auto frame = boost::json::parse(data).as_object();
  EXPECT_EQ(frame.at("peers_online").to_number<int>(), 1);
  EXPECT_TRUE(frame.at("reported_bytes").is_object());
  EXPECT_TRUE(frame.at("top_resources").is_array());
}
