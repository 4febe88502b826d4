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

// Everything the tracker knows about one online peer. Vectors stay empty (no heap) for an idle
// peer that announced nothing.
struct peer_state {
  peer_id id;  // public: what other peers and the page see
  std::optional<peer_id>
      visitor;  // the secret cookie this socket came with: the served record's key
  peer_link* link = nullptr;
  // Peers the server paired this one with, oldest first (ids, so a partner that left reads as
  // gone), with the signals this one relayed to each (bounded per pairing).
  struct pairing {
    peer_id id;
    std::uint32_t signals = 0;
    peer_id process{};  // the partner's process when it is not this one (all zero: here)
  };
  std::vector<pairing> paired;
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
