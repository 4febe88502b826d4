// The exposition writer against the strict reader (support/prom_text.hpp) and promtool.
#include <gtest/gtest.h>

#include "metrics/exposition.hpp"
#include "support/prom_text.hpp"

using namespace circlecdn;
using namespace circlecdn::metrics;

namespace {

std::string sample_text() {
  exposition e;
  e.counter("circlecdn_things_total", "Things.\nOn two lines.", 3);
  e.family("circlecdn_by_reason_total", family_type::counter, "By reason.");
  e.sample({{"reason", "a\"quoted\"\\path\nnewline"}}, 1);
  e.sample({{"reason", "plain"}}, 2);
  e.gauge("circlecdn_ratio", "A ratio.", 0.25);
  histogram h{0.1, 1, 10};
  for (double v : {0.05, 0.5, 0.5, 5.0, 50.0}) h.observe(v);
  e.family("circlecdn_took_seconds", family_type::histogram, "Took.");
  e.series({{"source", "peer"}}, h);
  e.series({{"source", "origin"}}, histogram{0.1, 1, 10});
  return e.text();
}

}  // namespace

TEST(Exposition, StrictReaderAcceptsEveryKindOfFamily) {
  auto text = sample_text();
  auto s = test::parse_prom_text(text);
  EXPECT_EQ(s.types.at("circlecdn_things_total"), "counter");
  EXPECT_EQ(s.types.at("circlecdn_took_seconds"), "histogram");
  EXPECT_EQ(s.at("circlecdn_things_total"), 3);
  EXPECT_EQ(s.at("circlecdn_by_reason_total{reason=\"a\"quoted\"\\path\nnewline\"}"), 1);
  EXPECT_EQ(s.at("circlecdn_ratio"), 0.25);
  EXPECT_EQ(s.at("circlecdn_took_seconds_bucket{le=\"0.1\",source=\"peer\"}"), 1);
  EXPECT_EQ(s.at("circlecdn_took_seconds_bucket{le=\"1\",source=\"peer\"}"), 3);
  EXPECT_EQ(s.at("circlecdn_took_seconds_bucket{le=\"10\",source=\"peer\"}"), 4);
  EXPECT_EQ(s.at("circlecdn_took_seconds_bucket{le=\"+Inf\",source=\"peer\"}"), 5);
  EXPECT_EQ(s.at("circlecdn_took_seconds_count{source=\"peer\"}"), 5);
  EXPECT_DOUBLE_EQ(s.at("circlecdn_took_seconds_sum{source=\"peer\"}"), 56.05);
  EXPECT_EQ(s.at("circlecdn_took_seconds_count{source=\"origin\"}"), 0);
  EXPECT_NE(text.find("\\\"quoted\\\"\\\\path\\nnewline"), std::string::npos);
}

TEST(Exposition, PromtoolAcceptsIt) {
  auto result = test::promtool_check(sample_text());
  if (!result) GTEST_SKIP() << "promtool not installed (Debian package `prometheus`)";
  EXPECT_EQ(result->first, 0) << result->second;
}

TEST(Exposition, StrictReaderRefusesWhatTheFormatForbids) {
  auto refused = [](const std::string& text) {
    EXPECT_THROW(test::parse_prom_text(text), std::runtime_error) << text;
  };
  refused("circlecdn_x 1\n");                        // no HELP/TYPE
  refused("# HELP circlecdn_x x\ncirclecdn_x 1\n");  // no TYPE
  refused("# HELP circlecdn_x_total x\n# TYPE circlecdn_x_total counter\ncirclecdn_x_total 1");
  refused("# HELP circlecdn_x x\n# TYPE circlecdn_x counter\ncirclecdn_x 1\n");  // no _total
  refused("# HELP other_x x\n# TYPE other_x gauge\nother_x 1\n");                // not ours
  refused("# HELP circlecdn_x x\n# TYPE circlecdn_x gauge\ncirclecdn_x{a=\"\\q\"} 1\n");
  refused("# HELP circlecdn_x x\n# TYPE circlecdn_x gauge\ncirclecdn_x 1\ncirclecdn_x 2\n");
  refused(
      "# HELP circlecdn_h x\n# TYPE circlecdn_h histogram\ncirclecdn_h_bucket{le=\"1\"} 2\n"
      "circlecdn_h_bucket{le=\"+Inf\"} 1\ncirclecdn_h_sum 1\ncirclecdn_h_count 1\n");
}

TEST(Exposition, WriterRefusesBadNames) {
  exposition e;
  EXPECT_THROW(e.family("circlecdn_counter", family_type::counter, "x"), std::logic_error);
  EXPECT_THROW(e.family("9bad", family_type::gauge, "x"), std::logic_error);
  e.family("circlecdn_ok", family_type::gauge, "x");
  EXPECT_THROW(e.sample({{"__reserved", "x"}}, 1), std::logic_error);
  EXPECT_THROW(e.series({}, histogram{1}), std::logic_error);
}

TEST(Histogram, QuantileInterpolatesInsideItsBucket) {
  histogram h{1, 2, 4};
  EXPECT_EQ(h.quantile(0.5), 0);                // nothing observed
  for (int i = 0; i < 10; ++i) h.observe(1.5);  // all in (1, 2]
  EXPECT_DOUBLE_EQ(h.quantile(0.5), 1.5);
  EXPECT_DOUBLE_EQ(h.quantile(1.0), 2);
  h.observe(100);  // above every bound
  EXPECT_DOUBLE_EQ(h.quantile(1.0), 4);
}
