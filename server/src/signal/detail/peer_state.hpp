#pragma once
// What the tracker knows about one online connection, shared by the tracker's source files
// (tracker.cpp, handlers/, tracker_checks.cpp, tracker_ice.cpp). Not part of the tracker's public
// face. What the crowd knows about the peer (holdings, transfers, fetch claims, path outcomes)
// is the ledger's, under the peer's id.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"
#include "signal/discovery_budget.hpp"
#include "signal/peer_link.hpp"
#include "signal/reports.hpp"
#include "signal/tracker.hpp"
#include "signal/usage_allowance.hpp"

namespace circlecdn::signal {

// Why two peers are paired (peer_state::pairing::kinds); a pairing goes when no kind is left.
namespace pairing_kind {
constexpr std::uint8_t transfer = 1;        // a want (or a ring connect) matched them
constexpr std::uint8_t ring_link = 2;       // ring neighbours
constexpr std::uint8_t chord_asked = 4;     // this peer asked for a Chord routing connection
constexpr std::uint8_t chord_asked_by = 8;  // the other peer asked for it
constexpr std::uint8_t chord = chord_asked | chord_asked_by;
constexpr std::uint8_t routing = ring_link | chord;
}  // namespace pairing_kind

// What a peer's routing messages left behind (null until its first `connect` or `miss_token`: a
// tracker-mode peer pays 8 bytes for it).
struct routing_state {
  // Miss tokens issued for `miss_token` that still count among its wants in flight: until the
  // origin sees the token (X-Circle-Miss) or the want timeout passes.
  struct pending_miss {
    std::uint32_t id = 0;
    content_hash hash;
    tracker::clock::time_point until;
  };
  std::vector<pending_miss> pending_misses;
  discovery_budget connects;  // chord: `connect`s it may still send (a bucket per minute)
};

// Everything the tracker knows about one online peer. Vectors stay empty (no heap) for an idle
// peer that announced nothing.
struct peer_state {
  peer_id id;  // public: what other peers and the page see
  std::optional<peer_id>
      visitor;  // the secret cookie this socket came with: the served record's key
  peer_link* link = nullptr;
  // Peers the server paired this one with, oldest first (ids, so a partner that left reads as
  // gone), with the signals this one relayed to each (bounded per pairing) and why they are
  // paired (pairing_kind bits: a want's match, ring neighbours, a Chord connect either way).
  struct pairing {
    peer_id id;
    std::uint32_t signals = 0;
    std::uint8_t kinds = 0;
    peer_id process{};  // the partner's process when it is not this one (all zero: here)
  };
  std::vector<pairing> paired;
  std::unique_ptr<routing_state> routing;  // from its first `connect` or `miss_token` on)
  // Wants waiting for the cluster's answer (swarm/remote_crowd.hpp), by id: not yet transfers.
  std::vector<std::uint32_t> wants_pending;
  discovery_budget discovery;  // new holders it may still learn (docs/security.md)
  std::uint32_t max_uploads = 0;
  std::uint32_t errors = 0;  // leaky: see send_error
  tracker::clock::time_point errors_at{};
  double tokens = 0;
  tracker::clock::time_point last_refill;
  std::uint32_t uploads_completed = 0;    // its uploads that ended in done ok:true: its reputation
  std::uint64_t ice_serial = 0;           // the current TURN credentials (see ice_renewals)
  usage_allowance usage;                  // what its `usage` reports may still add
  std::unique_ptr<pairing_log> pairings;  // as a wanter: from its first match on (reports)
  std::string address;  // as the server sees it (through --trust-proxy): penalties' strikes
  bool closing = false;
};

}  // namespace circlecdn::signal
