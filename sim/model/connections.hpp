#pragma once
// WebRTC connections between peers: which pairs have an open channel (the last few partners of
// each peer, as the server's pairing table remembers them) and what a new pair costs: the offer,
// answer and ICE candidates relayed through the server, then ICE and DTLS between the two.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/big_vector.hpp"
#include "model/population.hpp"
#include "model/scenario.hpp"

namespace circlecdn::sim {

class connections {
 public:
  static constexpr std::uint32_t remembered = 8;  // open channels kept per peer

  connections(const scenario& s, const population& peers)
      : peers_(peers),
        server_messages_per_connect_(2.0 * s.signal_messages_per_connect),
        p2p_rtts_(s.connect_p2p_rtts) {}
  void grow(std::size_t slots) {
    if (count_.size() < slots) {
      count_.resize(slots, 0);
      next_.resize(slots, 0);
      partners_.resize(slots * remembered, ~std::uint32_t{0});
    }
  }
  void reset(peer_index p) {
    count_[p] = 0;
    next_[p] = 0;
    for (std::uint32_t i = 0; i < remembered; ++i) partners_[p * remembered + i] = ~0u;
  }
  bool connected(peer_index a, peer_index b) const { return connected_uid(a, peers_.uid(b)); }
  // Same, when the caller already knows b's uid (saves a cache miss on b's record).
  bool connected_uid(peer_index a, std::uint32_t uid_b) const {
    for (std::uint32_t i = 0; i < remembered; ++i) {
      if (partners_[a * remembered + i] == uid_b) return true;
    }
    return false;
  }
  // Seconds from "both know they should connect" to "channel open".
  double setup_s(peer_index a, peer_index b) const {
    return peers_.rtt_server_s(a) + peers_.rtt_server_s(b) + p2p_rtts_ * peers_.rtt_s(a, b);
  }
  // Records the new pair on both sides; returns the set-up time. The caller counts
  // server_messages_per_connect() server messages.
  double open(peer_index a, peer_index b) {
    remember(a, b);
    remember(b, a);
    ++count_[a];
    ++count_[b];
    return setup_s(a, b);
  }
  double server_messages_per_connect() const { return server_messages_per_connect_; }
  std::uint32_t opened(peer_index p) const { return count_[p]; }
  void clear_counts() { std::fill(count_.begin(), count_.end(), 0u); }

 private:
  void remember(peer_index a, peer_index b) {
    partners_[a * remembered + next_[a]] = peers_.uid(b);
    next_[a] = static_cast<std::uint8_t>((next_[a] + 1) % remembered);
  }
  const population& peers_;
  double server_messages_per_connect_;
  double p2p_rtts_;
  std::vector<std::uint32_t> count_;
  std::vector<std::uint8_t> next_;
  big_vector<std::uint32_t> partners_;
};

}  // namespace circlecdn::sim
