#pragma once
// The visitors on-line: one slot per visitor, attributes in parallel arrays (struct of arrays),
// 32-bit slot indices. A slot is reused only `keep_s` after its visitor left, so models that
// still point at a departed visitor (a stale Chord finger) read its departure, not a stranger.
//
// A visitor's departure time is drawn when it arrives, so any model can ask "is this peer still
// there at time t?" for a t slightly ahead of the event being processed. That is what lets a
// lookup be computed whole at the moment it starts, yet see every departure along its path.
#include <cmath>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "engine/big_vector.hpp"
#include "engine/rng.hpp"
#include "model/scenario.hpp"

namespace circlecdn::sim {

using peer_index = std::uint32_t;
inline constexpr peer_index no_peer = ~peer_index{0};

class population {
 public:
  // Where a visitor sits: coordinates in the plane (ms of propagation) and its access delay.
  struct position {
    float x_ms, y_ms, access_ms;
  };
  // Round trip between two positions (models that keep their own copy of a position use this,
  // and get exactly what rtt_s gives).
  static double rtt_s(const position& a, const position& b) {
    const float dx = a.x_ms - b.x_ms;
    const float dy = a.y_ms - b.y_ms;
    return (std::sqrt(dx * dx + dy * dy) + a.access_ms + b.access_ms) * 1e-3;
  }
  static double one_way_s(const position& a, const position& b) { return rtt_s(a, b) * 0.5; }

  explicit population(const scenario& s);

  // A new visitor on-line at `now`, leaving at `depart_s`; network attributes drawn from r.
  peer_index join(double now, double depart_s, rng& r);
  // The visitor leaves at `now` (its departure time becomes `now` if it was later).
  void leave(peer_index p, double now, double keep_s);
  // Hands back to the free list every slot whose keep time has passed; calls on_release(slot)
  // first so models can forget it.
  template <class F>
  void release_due(double now, F&& on_release) {
    while (!releasing_.empty() && releasing_.front().first <= now) {
      const peer_index p = releasing_.front().second;
      releasing_.pop_front();
      on_release(p);
      free_.push_back(p);
    }
  }

  std::uint32_t uid(peer_index p) const { return hot_[p].uid; }
  // Starts the cache miss the next read of p's record will take.
  void prefetch(peer_index p) const { __builtin_prefetch(&hot_[p]); }
  double join_s(peer_index p) const { return hot_[p].join_s; }
  double depart_s(peer_index p) const { return hot_[p].depart_s; }
  bool abrupt(peer_index p) const { return abrupt_[p] != 0; }
  bool probe(peer_index p) const { return probe_[p] != 0; }
  void set_probe(peer_index p, bool v) { probe_[p] = v ? 1 : 0; }
  bool alive_at(peer_index p, double t) const {
    return hot_[p].join_s <= t && t < hot_[p].depart_s;
  }
  // When the others notice p has gone: at once for a clean close, after the detection timeout
  // for an abrupt one.
  double detected_s(peer_index p) const { return hot_[p].depart_s + detect_delay_s(p); }
  double detect_delay_s(peer_index p) const { return abrupt_[p] ? detect_abrupt_s_ : 0.0; }

  const position& where(peer_index p) const { return hot_[p].at; }
  double rtt_s(peer_index a, peer_index b) const { return rtt_s(hot_[a].at, hot_[b].at); }
  double one_way_s(peer_index a, peer_index b) const { return rtt_s(a, b) * 0.5; }
  // The server (origin, tracker, signaling) sits at the centre of the plane.
  double rtt_server_s(peer_index a) const { return rtt_server_s(hot_[a].at); }
  double rtt_server_s(const position& h) const {
    return (std::sqrt(h.x_ms * h.x_ms + h.y_ms * h.y_ms) + h.access_ms + server_access_ms_) * 1e-3;
  }
  double upload_bytes_s(peer_index p) const { return up_bytes_s_[p]; }
  double download_bytes_s(peer_index p) const { return down_bytes_s_[p]; }

  std::size_t online() const { return alive_.size(); }
  peer_index online_at(std::size_t i) const { return alive_[i]; }
  peer_index random_online(rng& r) const {
    return alive_[r.below(static_cast<std::uint32_t>(alive_.size()))];
  }
  std::size_t slots() const { return hot_.size(); }
  std::uint32_t sessions() const { return next_uid_; }

 private:
  double world_diameter_ms_, access_min_ms_, access_max_ms_, server_access_ms_;
  double up_median_, up_sigma_, down_median_, down_sigma_, abrupt_fraction_, detect_abrupt_s_;

  // What routing reads at every hop, in one 32-byte record per slot.
  struct hot {
    double join_s;
    double depart_s;
    position at;
    std::uint32_t uid;
  };
  big_vector<hot> hot_;
  std::vector<float> up_bytes_s_, down_bytes_s_;
  std::vector<std::uint8_t> abrupt_, probe_;
  std::vector<std::uint32_t> alive_pos_;
  std::vector<peer_index> alive_;
  std::vector<peer_index> free_;
  std::deque<std::pair<double, peer_index>> releasing_;
  std::uint32_t next_uid_ = 0;
};

}  // namespace circlecdn::sim
