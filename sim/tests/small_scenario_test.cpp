// A whole small run per strategy: the invariants that must hold whatever the numbers are, and
// the same seed giving byte-identical output.
#include <gtest/gtest.h>

#include <string>

#include "model/scenario.hpp"
#include "model/world.hpp"
#include "observe/report.hpp"

namespace circlecdn::sim {
namespace {

scenario small(const std::string& strategy) {
  scenario s = load_scenario(std::string(CIRCLECDN_SIM_SCENARIOS) + "/small.conf");
  s.strategy = strategy;
  return s;
}

std::string outputs(const scenario& s) {
  world w(s);
  w.run();
  return summary_csv_row(summarise(s, w.stats(), w.limit(), w.peak_online())) +
         timeseries_csv(w.stats());
}

class SmallScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(SmallScenario, InvariantsHold) {
  const scenario s = small(GetParam());
  world w(s);
  std::uint64_t hits = 0;
  std::uint64_t late_hits = 0;
  w.set_lookup_observer([&](peer_index wanter, resource_index, double issued, double deadline,
                            const lookup_result& r) {
    ASSERT_LE(issued, deadline);
    if (r.outcome == lookup_outcome::found) {
      ++hits;
      ASSERT_NE(r.holder, no_peer);
      ASSERT_NE(r.holder, wanter);
      if (r.answered_s > deadline) ++late_hits;
    } else {
      ASSERT_EQ(r.holder, no_peer);
    }
  });
  w.run();
  const metrics& m = w.stats();
  ASSERT_GT(m.requests, 1000u);
  // Bytes are conserved: every requested byte came from a peer, the origin, or was abandoned.
  EXPECT_EQ(m.bytes_requested, m.bytes_peers + m.bytes_origin + m.bytes_abandoned);
  // Outcomes partition the lookups.
  EXPECT_EQ(m.requests, m.found + m.not_found + m.failed_churn + m.failed_deadline);
  EXPECT_EQ(m.requests, m.completed + m.abandoned);
  // No lookup answered after its deadline is counted as a hit.
  EXPECT_EQ(late_hits, 0u);
  EXPECT_EQ(m.hits_past_deadline, 0u);
  EXPECT_EQ(hits, m.found);
  // Peers carried something, and never more than the limit allows.
  const double delivered = static_cast<double>(m.bytes_peers + m.bytes_origin);
  const double offload = static_cast<double>(m.bytes_peers) / delivered;
  EXPECT_GT(offload, 0.0);
  EXPECT_LE(offload, w.limit().ratio() + 1e-12);
  EXPECT_EQ(m.lookup_latency_us.count(), m.requests);
  EXPECT_EQ(m.time_to_resource_us.count(), m.completed);
  EXPECT_GT(m.connections_per_peer.count(), 0u);
  EXPECT_GT(m.server_messages, 0.0);
}

TEST_P(SmallScenario, SameSeedSameBytes) {
  const scenario s = small(GetParam());
  const std::string first = outputs(s);
  EXPECT_EQ(first, outputs(s));
  scenario other = s;
  other.seed = s.seed + 1;
  EXPECT_NE(first, outputs(other));
}

INSTANTIATE_TEST_SUITE_P(Strategies, SmallScenario, ::testing::Values("tracker", "ring", "chord"));

TEST(SmallScenario, SameArrivalsForEveryStrategy) {
  // Workload draws come from their own stream: strategies see the same visitors and views.
  std::uint64_t sessions = 0;
  std::uint64_t views = 0;
  for (const char* name : {"tracker", "ring", "chord"}) {
    world w(small(name));
    w.run();
    if (sessions == 0) {
      sessions = w.stats().sessions;
      views = w.stats().page_views;
    }
    EXPECT_EQ(w.stats().sessions, sessions) << name;
    EXPECT_EQ(w.stats().page_views, views) << name;
  }
}

TEST(SmallScenario, FlashCrowdRaisesArrivalsAndOriginLoad) {
  scenario calm = small("tracker");
  scenario flash = calm;
  flash.arrival = "flash";
  flash.flash_at_s = 200;
  flash.flash_duration_s = 60;
  world a(calm);
  a.run();
  world b(flash);
  b.run();
  EXPECT_GT(b.stats().sessions, a.stats().sessions * 3);
  EXPECT_GT(b.peak_online(), a.peak_online() * 3);
}

}  // namespace
}  // namespace circlecdn::sim
