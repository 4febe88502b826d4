#pragma once
// The Chord identifier circle as it really is: every member's 32-bit id, in buckets of the id
// space (one sorted list per bucket, about one member each, and a bitmap of non-empty buckets),
// so "first member at or after x" is O(1) expected. Departed members stay listed until their
// slot is released, so the circle can be asked about any recent instant (who was alive at t?).
// Each member's id, list link and lifetime share one 24-byte record: a walk costs one cache
// miss per member.
#include <bit>
#include <cstdint>

#include "engine/big_vector.hpp"
#include "model/population.hpp"

namespace circlecdn::sim {

class id_ring {
 public:
  explicit id_ring(unsigned bucket_bits);
  void grow(std::size_t slots) {
    if (member_.size() < slots) member_.resize(slots, member{0, no_peer, 0, 0});
  }
  void insert(peer_index p, std::uint32_t id, double join_s, double depart_s);
  void set_depart(peer_index p, double depart_s);
  void erase(peer_index p);
  bool contains_id(std::uint32_t id) const;
  std::uint32_t id(peer_index p) const { return member_[p].id; }
  bool alive_at(peer_index p, double t) const {
    return member_[p].join_s <= t && t < member_[p].depart_s;
  }
  std::size_t members() const { return members_; }

  // Calls f(p) for members in circle order starting at the first id >= x, once around; stops
  // when f returns false.
  template <class F>
  void walk(std::uint32_t x, F&& f) const {
    if (members_ == 0) return;
    const std::size_t start = x >> shift_;
    const std::size_t n = head_.size();
    for (peer_index p = head_[start].first; p != no_peer; p = member_[p].next) {
      if (member_[p].id >= x && !f(p)) return;
    }
    for (std::size_t b = next_nonempty(start + 1); b < n; b = next_nonempty(b + 1)) {
      for (peer_index p = head_[b].first; p != no_peer; p = member_[p].next) {
        if (!f(p)) return;
      }
    }
    for (std::size_t b = next_nonempty(0); b < start; b = next_nonempty(b + 1)) {
      for (peer_index p = head_[b].first; p != no_peer; p = member_[p].next) {
        if (!f(p)) return;
      }
    }
    for (peer_index p = head_[start].first; p != no_peer && member_[p].id < x;
         p = member_[p].next) {
      if (!f(p)) return;
    }
  }
  // The first member at or after x that was on-line at time t; no_peer if none.
  peer_index successor_at(std::uint32_t x, double t) const {
    std::uint32_t ignored;
    return successor_at(x, t, ignored);
  }
  // Same, and its id in `id_out` (from the bucket record on the fast path: no miss on the
  // member's own record).
  peer_index successor_at(std::uint32_t x, double t, std::uint32_t& id_out) const {
    // Fast path, one cache miss: the answer is usually the first member of x's bucket or of the
    // next non-empty one, and the bucket record says whether it was surely on-line at t.
    const std::size_t b = x >> shift_;
    const bucket& h = head_[b];
    if (h.first != no_peer && h.first_id >= x) {
      if (h.surely_alive(t)) {
        id_out = h.first_id;
        return h.first;
      }
    } else if (h.first == no_peer || h.count == 1) {
      std::size_t nb = next_nonempty(b + 1);
      if (nb == head_.size()) nb = next_nonempty(0);
      if (nb != head_.size() && head_[nb].surely_alive(t)) {
        id_out = head_[nb].first_id;
        return head_[nb].first;
      }
    }
    const peer_index p = successor_slow(x, t);
    if (p != no_peer) id_out = member_[p].id;
    return p;
  }
  // Starts the cache miss a successor_at(x, ...) will take.
  void prefetch(std::uint32_t x) const { __builtin_prefetch(&head_[x >> shift_]); }

 private:
  peer_index successor_slow(std::uint32_t x, double t) const {
    peer_index found = no_peer;
    walk(x, [&](peer_index p) {
      if (!alive_at(p, t)) return true;
      found = p;
      return false;
    });
    return found;
  }

  // A bucket's list head, with a copy of its first member's id and lifetime (rounded inwards,
  // so "surely alive" never errs; the exact check is the slow path).
  struct bucket {
    peer_index first;
    std::uint32_t first_id;
    float join_up;
    float depart_down;
    std::uint32_t count;
    bool surely_alive(double t) const {
      return first != no_peer && static_cast<double>(join_up) <= t &&
             t < static_cast<double>(depart_down);
    }
  };
  void refresh_head(std::size_t b);

  struct member {
    std::uint32_t id;
    peer_index next;
    double join_s;
    double depart_s;
  };
  std::size_t next_nonempty(std::size_t b) const {
    const std::size_t n = head_.size();
    if (b >= n) return n;
    std::size_t w = b >> 6;
    std::uint64_t bits = nonempty_[w] & (~std::uint64_t{0} << (b & 63));
    while (bits == 0) {
      if (++w == nonempty_.size()) return n;
      bits = nonempty_[w];
    }
    return (w << 6) + static_cast<std::size_t>(std::countr_zero(bits));
  }

  unsigned shift_;
  big_vector<bucket> head_;
  big_vector<std::uint64_t> nonempty_;
  big_vector<member> member_;
  std::size_t members_ = 0;
};

}  // namespace circlecdn::sim
