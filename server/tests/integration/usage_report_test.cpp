// `usage` reports are untrusted: an attacker who sends huge or frequent ones cannot inflate the
// bytes the operator sees beyond one peer's allowance (signal/limits.hpp, usage_*).
#include <gtest/gtest.h>

#include <chrono>

#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/prom_text.hpp"
#include "support/test_site.hpp"
#include "support/ws_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

namespace {

double metric(std::uint16_t port, const std::string& series) {
  return parse_prom_text(get(port, "/metrics", operator_auth()).body()).at(series);
}

std::string usage(std::uint64_t peer, std::uint64_t origin = 0, std::uint64_t store = 0) {
  return R"({"type":"usage","peer":)" + std::to_string(peer) + R"(,"origin":)" +
         std::to_string(origin) + R"(,"store":)" + std::to_string(store) + "}";
}

// Reads until the answer to a marker want (a hash in no manifest): the server handled everything
// sent before it.
void sync(ws_client& c) {
  static int id = 1000;
  c.send(R"({"type":"want","id":)" + std::to_string(++id) + R"(,"hash":")" + std::string(64, '0') +
         R"("})");
  for (;;) {
    auto m = c.read();
    if (m["type"] == "miss" && m["id"] == id) return;
  }
}

}  // namespace

TEST(UsageReport, AttackerSendingHugeReportsIsClampedToOnePeersAllowance) {
  test_site site;
  const signal::limits lim;
  const auto opened = std::chrono::steady_clock::now();
  ws_client attacker(site.port);
  constexpr std::uint64_t huge = 9'007'199'254'740'991;  // 2^53 - 1, the largest accepted
  attacker.send(usage(huge, huge, huge));
  sync(attacker);
  // The first report meets a full allowance: the burst, and not a byte more.
  EXPECT_EQ(metric(site.port, "circlecdn_reported_bytes_total{source=\"peer\"}"),
            lim.usage_bytes_burst);
  EXPECT_EQ(metric(site.port, "circlecdn_reported_bytes_total{source=\"origin\"}"), 0);
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(lim.usage_interval_min + std::chrono::milliseconds(50));
    attacker.send(usage(huge, huge, huge));
  }
  sync(attacker);
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - opened).count();
  double total = 0;
  for (auto source : {"peer", "origin", "store"})
    total +=
        metric(site.port, std::string("circlecdn_reported_bytes_total{source=\"") + source + "\"}");
  // Whatever the timing, never more than the burst plus the refill over the connection's life.
  EXPECT_LE(total, lim.usage_bytes_burst + lim.usage_bytes_per_s * elapsed_s);
  EXPECT_GT(total, lim.usage_bytes_burst);  // the refill did count: the cap is not a lockout
  EXPECT_GE(metric(site.port, "circlecdn_usage_clamped_bytes_total"), 3.0 * huge - total);
  EXPECT_EQ(metric(site.port, "circlecdn_usage_reports_total"), 4);
}

TEST(UsageReport, AttackerSendingFrequentReportsHasTheExtraOnesRefused) {
  test_site site;
  const signal::limits lim;
  ws_client attacker(site.port);
  const auto first = std::chrono::steady_clock::now();
  constexpr int sent = 20;
  for (int i = 0; i < sent; ++i) attacker.send(usage(1000));
  sync(attacker);
  const double window_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - first).count();
  const double accepted = metric(site.port, "circlecdn_usage_reports_total");
  const double refused = metric(site.port, "circlecdn_usage_reports_refused_total");
  EXPECT_EQ(accepted + refused, sent);
  // At most one report per interval gets through, however the server's clock read them.
  EXPECT_LE(accepted, 1 + window_s / std::chrono::duration<double>(lim.usage_interval_min).count());
  EXPECT_GE(accepted, 1);
  EXPECT_EQ(metric(site.port, "circlecdn_reported_bytes_total{source=\"peer\"}"), 1000 * accepted);
  EXPECT_EQ(metric(site.port, "circlecdn_signal_errors_total{code=\"rate_limited\"}"), refused);
}

TEST(UsageReport, MalformedReportsAreRefusedWithAClearError) {
  test_site site;
  ws_client c(site.port);
  for (auto bad : {R"({"type":"usage","peer":-1,"origin":0,"store":0})",
                   R"({"type":"usage","peer":1,"origin":0})",
                   R"({"type":"usage","peer":1.5,"origin":0,"store":0})",
                   R"({"type":"usage","peer":9007199254740992,"origin":0,"store":0})",
                   R"({"type":"usage","peer":1,"origin":0,"store":0,"ms":{"peer":[-3]}})",
                   R"({"type":"usage","peer":1,"origin":0,"store":0,"ms":[1]})"}) {
    c.send(bad);
    auto e = c.read_type("error");
    EXPECT_EQ(str(e["code"]), "bad_message") << bad;
    EXPECT_EQ(str(e["ref"]), "usage") << bad;
  }
  std::string many = R"({"type":"usage","peer":1,"origin":0,"store":0,"ms":{"origin":[)";
  for (int i = 0; i < 33; ++i) many += (i ? ",1" : "1");
  c.send(many + "]}}");
  EXPECT_EQ(str(c.read_type("error")["code"]), "bad_message");
  sync(c);
  EXPECT_EQ(metric(site.port, "circlecdn_usage_reports_total"), 0);
}
