// The ring's books: splices and repairs keep one circle, and each change names exactly the
// members whose neighbours changed and the links that appeared (one offerer each) or went.
#include "routing/ring.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

using namespace circlecdn;
using circlecdn::routing::ring;

namespace {

using link_set = std::set<std::pair<peer_id, peer_id>>;  // unordered pairs, smaller id first

std::pair<peer_id, peer_id> key(const peer_id& a, const peer_id& b) {
  return a < b ? std::pair(a, b) : std::pair(b, a);
}

// Every member's neighbours, and the links they make, read back from the ring.
struct snapshot {
  std::map<peer_id, ring::neighbours> at;
  link_set links;
};
snapshot read(const ring& r, const std::vector<peer_id>& members) {
  snapshot s;
  for (const auto& p : members) {
    auto n = r.of(p);
    EXPECT_TRUE(n);
    s.at[p] = *n;
    if (n->serving) s.links.insert(key(p, *n->serving));
  }
  return s;
}

// One circle through every member; served is the reverse of serving; alone means no neighbours.
void expect_circle(const ring& r, const std::vector<peer_id>& members) {
  ASSERT_EQ(r.size(), members.size());
  if (members.empty()) return;
  if (members.size() == 1) {
    auto n = r.of(members[0]);
    EXPECT_FALSE(n->serving);
    EXPECT_FALSE(n->served);
    return;
  }
  std::set<peer_id> seen;
  peer_id at = members[0];
  for (std::size_t i = 0; i < members.size(); ++i) {
    seen.insert(at);
    auto n = r.of(at);
    ASSERT_TRUE(n && n->serving);
    EXPECT_EQ(r.of(*n->serving)->served, at);
    at = *n->serving;
  }
  EXPECT_EQ(at, members[0]);
  EXPECT_EQ(seen.size(), members.size());
}

// What a change says agrees with the ring before and after it.
void expect_change(const snapshot& before, const snapshot& after, const ring::change& c,
                   const ring& r) {
  std::set<peer_id> changed;
  for (const auto& [p, n] : after.at) {
    auto old = before.at.find(p);
    if (old == before.at.end() || old->second.serving != n.serving ||
        old->second.served != n.served)
      changed.insert(p);
  }
  EXPECT_EQ(std::set<peer_id>(c.reordered.begin(), c.reordered.end()), changed);
  EXPECT_EQ(c.reordered.size(), changed.size()) << "a member told twice";
  link_set added, removed;
  for (const auto& l : after.links)
    if (!before.links.contains(l)) added.insert(l);
  for (const auto& l : before.links)
    if (!after.links.contains(l)) removed.insert(l);
  link_set said_added, said_removed;
  for (const auto& l : c.links) {
    said_added.insert(key(l.offerer, l.answerer));
    // The offerer is the side for which the other is serving.
    EXPECT_EQ(r.of(l.offerer)->serving, l.answerer);
  }
  for (const auto& l : c.unlinked) said_removed.insert(key(l.offerer, l.answerer));
  EXPECT_EQ(said_added, added);
  EXPECT_EQ(c.links.size(), added.size()) << "a link ordered twice";
  EXPECT_EQ(said_removed, removed);
}

}  // namespace

TEST(Ring, AloneThenTwoThenThree) {
  ring r;
  auto a = peer_id::random(), b = peer_id::random(), c = peer_id::random();
  auto first = r.join(a, 0);
  EXPECT_EQ(first.reordered, std::vector<peer_id>{a});
  EXPECT_TRUE(first.links.empty());
  EXPECT_FALSE(r.of(a)->serving);

  auto second = r.join(b, 0);
  ASSERT_EQ(second.links.size(), 1u);  // each serves the other: one link, the newcomer offers
  EXPECT_EQ(second.links[0].offerer, b);
  EXPECT_EQ(second.links[0].answerer, a);
  EXPECT_EQ(r.of(a)->serving, b);
  EXPECT_EQ(r.of(a)->served, b);

  auto third = r.join(c, 0);  // after a: a -> c -> b
  EXPECT_EQ(r.of(a)->serving, c);
  EXPECT_EQ(r.of(c)->serving, b);
  EXPECT_EQ(r.of(b)->serving, a);
  ASSERT_EQ(third.links.size(), 2u);
  EXPECT_TRUE(third.unlinked.empty());  // b -> a still links a and b
  EXPECT_EQ(third.reordered.front(), c);
  EXPECT_TRUE(r.linked(a, c) && r.linked(c, b) && r.linked(a, b));
  EXPECT_FALSE(r.linked(a, a));
}

TEST(Ring, LeavingJoinsTheNeighboursAndTheLastOneIsAlone) {
  ring r;
  std::vector<peer_id> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(peer_id::random());
    r.join(ids.back(), 0);
  }
  auto x = ids[2];
  auto a = *r.of(x)->served, b = *r.of(x)->serving;
  auto c = r.leave(x);
  EXPECT_FALSE(r.contains(x));
  EXPECT_EQ(r.of(a)->serving, b);
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_EQ(c.links[0].offerer, a);
  EXPECT_EQ(c.links[0].answerer, b);
  EXPECT_EQ(c.unlinked.size(), 2u);
  EXPECT_EQ(std::set<peer_id>(c.reordered.begin(), c.reordered.end()), (std::set<peer_id>{a, b}));
  EXPECT_TRUE(r.leave(x).reordered.empty());  // not a member: nothing

  ids.erase(ids.begin() + 2);
  r.leave(ids[0]);
  auto down_to_one = r.leave(ids[1]);
  EXPECT_EQ(down_to_one.reordered, std::vector<peer_id>{ids[2]});
  EXPECT_TRUE(down_to_one.links.empty());
  EXPECT_FALSE(r.of(ids[2])->serving);
  EXPECT_TRUE(r.leave(ids[2]).reordered.empty());  // the last one: nobody to tell
  EXPECT_EQ(r.size(), 0u);
}

// Random joins and leaves: after each, one circle, and the change names exactly what changed.
TEST(Ring, EveryJoinAndLeaveKeepsOneCircleAndSaysWhatChanged) {
  for (unsigned seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    ring r;
    std::vector<peer_id> members;
    for (int step = 0; step < 60; ++step) {
      auto before = read(r, members);
      ring::change c;
      bool joining = members.size() < 2 || rng() % 3 != 0;
      if (joining) {
        members.push_back(peer_id::random());
        c = r.join(members.back(), rng());
        EXPECT_EQ(c.reordered.front(), members.back());
      } else {
        auto i = rng() % members.size();
        auto gone = members[i];
        members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
        c = r.leave(gone);
        before.at.erase(gone);
        std::erase_if(before.links, [&](auto& l) { return l.first == gone || l.second == gone; });
        // Links that went with the leaver are reported too.
        std::size_t with_leaver = 0;
        for (const auto& l : c.unlinked) with_leaver += l.offerer == gone || l.answerer == gone;
        EXPECT_EQ(with_leaver, members.empty() ? 0u : (members.size() == 1 ? 1u : 2u));
        std::erase_if(c.unlinked, [&](auto& l) { return l.offerer == gone || l.answerer == gone; });
      }
      expect_circle(r, members);
      expect_change(before, read(r, members), c, r);
      if (HasFailure()) return;
    }
  }
}
