#pragma once
// The ring of online peers in `--routing ring` (docs/routing.md, "The server side"): each member
// has a serving neighbour (ahead: where its ring wants go) and a served one (behind: where wants
// come from). The server splices a newcomer in after a random member and joins a leaver's two
// neighbours; each change says which members must be told their new neighbours and which new
// neighbour links must be opened, with the side that sends the WebRTC offer. Pure bookkeeping:
// the tracker sends the orders.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/peer_id.hpp"

namespace circlecdn::routing {

class ring {
 public:
  struct neighbours {
    std::optional<peer_id> serving;  // ahead; none when alone
    std::optional<peer_id> served;   // behind; none when alone
  };
  // A new neighbour link: `offerer` is the side for which the other is `serving` (with two
  // members, each serves the other: the newcomer offers).
  struct link {
    peer_id offerer, answerer;
  };
  struct change {
    std::vector<peer_id> reordered;  // members whose neighbours changed (a newcomer first)
    std::vector<link> links;         // neighbour links that did not exist before
    std::vector<link> unlinked;      // neighbour links that no longer exist
  };

  // Splices `p` in after the member at `pick % size()` (any random number: the caller's draw).
  change join(const peer_id& p, std::uint64_t pick);
  // Joins p's two neighbours (nothing when p is not a member).
  change leave(const peer_id& p);

  bool contains(const peer_id& p) const { return at_.contains(p); }
  std::optional<neighbours> of(const peer_id& p) const;
  std::size_t size() const { return members_.size(); }
  // Whether a and b are neighbours now (a link of the ring joins them).
  bool linked(const peer_id& a, const peer_id& b) const;

 private:
  struct node {
    peer_id serving, served;  // itself when alone
    std::size_t index;        // in members_
  };
  // The links among `around` (each one's serving edge), to compare before and after a change.
  std::vector<link> links_of(const std::vector<peer_id>& around) const;
  change diff(std::vector<peer_id> around, const std::vector<link>& before) const;

  std::unordered_map<peer_id, node> at_;
  std::vector<peer_id> members_;  // in no order: a random pick is one index
};

}  // namespace circlecdn::routing
