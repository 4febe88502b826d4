// Scenario files, the histogram and the workload's distributions.
#include "model/scenario.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "model/distributions.hpp"
#include "observe/histogram.hpp"

namespace circlecdn::sim {
namespace {

TEST(Scenario, ParsesKeysCommentsAndBlankLines) {
  const scenario s = parse_scenario(
      "# a comment\n\nname = tiny\nstrategy = chord  # inline comment\npeers = 250\nseed = 9\n");
  EXPECT_EQ(s.name, "tiny");
  EXPECT_EQ(s.strategy, "chord");
  EXPECT_DOUBLE_EQ(s.peers, 250);
  EXPECT_EQ(s.seed, 9u);
  EXPECT_DOUBLE_EQ(s.duration_s, scenario{}.duration_s);
}

TEST(Scenario, RejectsUnknownKeysAndBadNumbersWithTheLine) {
  EXPECT_THROW(parse_scenario("peers = 10\nbogus = 1\n"), std::runtime_error);
  try {
    parse_scenario("peers = 10\npeers = ten\n");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos);
  }
  EXPECT_THROW(parse_scenario("no equals sign\n"), std::runtime_error);
}

TEST(Scenario, DescribeRoundTrips) {
  scenario s;
  s.name = "x";
  s.peers = 1234;
  s.zipf_exponent = 0.75;
  const scenario back = parse_scenario(describe(s));
  EXPECT_EQ(describe(back), describe(s));
}

TEST(Scenario, ShippedScenariosAreValid) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CIRCLECDN_SIM_SCENARIOS)) {
    if (entry.path().extension() != ".conf") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(validate(load_scenario(entry.path().string())));
    ++count;
  }
  EXPECT_GE(count, 3);
}

TEST(Histogram, QuantilesWithinThreePercent) {
  histogram h;
  for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_NEAR(h.quantile(0.5), 50000, 1500);
  EXPECT_NEAR(h.quantile(0.99), 99000, 3000);
  histogram small;
  for (std::uint64_t v : {1, 2, 3, 4, 5}) small.record(v);
  EXPECT_EQ(small.quantile(0.5), 3);
  EXPECT_EQ(small.quantile(1.0), 5);
}

TEST(Distributions, AliasTableFollowsZipf) {
  const alias_table t(zipf_weights(100, 1.0));
  rng r(5);
  std::vector<int> counts(100, 0);
  const int n = 200000;
  for (int i = 0; i < n; ++i) ++counts[t.sample(r)];
  for (std::uint32_t i : {0u, 1u, 9u, 99u}) {
    EXPECT_NEAR(counts[i] / double(n), t.probability(i), 0.004) << i;
  }
}

TEST(Distributions, ParetoMeanMatchesTheCappedFormula) {
  rng r(6);
  double sum = 0;
  const int n = 400000;
  for (int i = 0; i < n; ++i) sum += std::min(pareto(r, 200, 1.5), 86400.0);
  EXPECT_NEAR(sum / n, pareto_mean_capped(200, 1.5, 86400), 15);
}

}  // namespace
}  // namespace circlecdn::sim
