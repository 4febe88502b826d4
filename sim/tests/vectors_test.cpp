// The shared routing vectors (test-vectors/routing/, also replayed by the browser library's
// client/test/routing/vectors.test.ts): the simulator's ring and Chord give the answers the
// browser's state machines give, so the two implementations of the rules cannot drift apart.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "strategy/chord.hpp"
#include "strategy/ring.hpp"
#include "strategy_bench.hpp"

namespace circlecdn::sim {
namespace {

boost::json::value load(const char* name) {
  const std::string path = std::string(CIRCLECDN_ROUTING_VECTORS) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());
}

std::uint32_t u32(const boost::json::value& v) {
  return static_cast<std::uint32_t>(v.to_number<double>());
}

TEST(SharedVectors, ChordRoutesWithFreshTables) {
  const auto doc = load("chord-routes.json");
  for (const auto& sv : doc.at("scenarios").as_array()) {
    const auto& s = sv.as_object();
    const unsigned fingers = u32(s.at("fingers"));
    scenario cfg;
    cfg.strategy = "chord";
    // The simulator sizes its finger table as bit_width(peers) + 4.
    cfg.peers = static_cast<double>(std::uint64_t{1} << (fingers - 5));
    cfg.catalogue = 10;
    cfg.abrupt_fraction = 0;
    cfg.lookup_deadline_ms = 1e9;
    testing::strategy_bench bench(cfg);
    chord c(bench.context());
    ASSERT_EQ(c.fingers(), fingers);
    std::map<std::uint32_t, peer_index> by_id;
    for (const auto& id : s.at("ids").as_array()) {
      c.set_next_id(u32(id));
      by_id[u32(id)] = bench.join(c, 0.0);
    }
    // Every finger and successor list refreshed since the last join.
    const double now = cfg.chord_fix_period_s + cfg.chord_stabilise_period_s + 1;
    for (const auto& lv : s.at("lookups").as_array()) {
      const auto& l = lv.as_object();
      const auto res = c.route(by_id.at(u32(l.at("from"))), u32(l.at("key")), now, now + 1e9);
      ASSERT_EQ(res.outcome, lookup_outcome::found) << s.at("name").as_string();
      EXPECT_EQ(c.id(res.owner), u32(l.at("owner")))
          << s.at("name").as_string() << " key " << u32(l.at("key"));
      EXPECT_EQ(res.hops, u32(l.at("hops")))
          << s.at("name").as_string() << " key " << u32(l.at("key"));
    }
  }
}

TEST(SharedVectors, RingWalks) {
  const auto doc = load("ring-walks.json");
  for (const auto& sv : doc.at("scenarios").as_array()) {
    const auto& s = sv.as_object();
    scenario cfg;
    cfg.strategy = "ring";
    cfg.peers = 10;
    cfg.catalogue = 10;
    cfg.abrupt_fraction = 0;
    cfg.lookup_deadline_ms = 1e9;
    cfg.ring_max_hops = s.at("maxHops").to_number<double>();
    testing::strategy_bench bench(cfg);
    ring g(bench.context());
    const unsigned n = u32(s.at("peers"));
    std::vector<peer_index> joined;
    for (unsigned i = 0; i < n; ++i) joined.push_back(bench.join(g, 0.0));
    std::vector<peer_index> order{joined[0]};  // vector position i = i places down the ring
    for (peer_index p = g.successor(joined[0]); p != joined[0]; p = g.successor(p))
      order.push_back(p);
    ASSERT_EQ(order.size(), n);
    const resource_index item = 3;
    for (const auto& h : s.at("holders").as_array()) {
      bench.held.add(order[u32(h)], item, 0.0);
      g.on_stored(order[u32(h)], item, 0.0);
    }
    for (const auto& b : s.at("busy").as_array())
      for (int i = 0; i < 4; ++i) bench.uploads.schedule(order[u32(b)], 0.0, 1e6);
    const auto res = g.lookup(order[u32(s.at("from"))], item, 10, 1e8);
    const auto& e = s.at("expect").as_object();
    const std::string name(s.at("name").as_string());
    const std::string outcome(e.at("outcome").as_string());
    EXPECT_EQ(res.hops, u32(e.at("hops"))) << name;
    if (outcome == "found") {
      ASSERT_EQ(res.outcome, lookup_outcome::found) << name;
      EXPECT_EQ(res.holder, order[u32(e.at("holder"))]) << name;
    } else {  // came_back and ttl: both "not found, ask the origin" in the simulator
      EXPECT_EQ(res.outcome, lookup_outcome::not_found) << name;
    }
  }
}

}  // namespace
}  // namespace circlecdn::sim
