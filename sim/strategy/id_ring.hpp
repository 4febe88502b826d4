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
    // Fast path, from bucket records only: the answer is usually the first member of x's bucket
    // or of one of the next few non-empty ones (neighbours in memory), and a bucket record says
    // whether its first member was surely on-line at t, surely not, or too close to tell (then
    // the exact walk decides).
    const std::size_t n = head_.size();
    const std::size_t b0 = x >> shift_;
    std::size_t b = b0;
    for (unsigned looked = 0; looked < 8; ++looked) {
      const bucket& h = head_[b];
      if (h.first != no_peer) {
        const bool before_x = b == b0 && h.first_id < x;
        if (!before_x) {
          const int state = h.state(t);
          if (state > 0) {
            id_out = h.first_id;
            return h.first;
          }
          if (state < 0 || h.count != 1) break;  // too close to tell, or more members here
        } else if (h.count != 1) {
          break;  // members after x may follow in this bucket
        }
      }
      b = next_nonempty(b + 1);
      if (b == n) b = next_nonempty(0);
      if (b == n || b == b0) break;  // empty circle, or once around
    }
    const peer_index p = successor_slow(x, t);
    if (p != no_peer) id_out = member_[p].id;
    return p;
  }
  // Starts the cache miss a successor_at(x, ...) will take.
  void prefetch(std::uint32_t x) const { __builtin_prefetch(&head_[x >> shift_]); }
  // Starts the cache miss an id(p) will take.
  void prefetch_member(peer_index p) const { __builtin_prefetch(&member_[p]); }

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

  // A bucket's list head, with a copy of its first member's id and lifetime rounded inwards
  // (so "surely alive" never errs) and outwards (so "surely not" never errs); the exact check is
  // the slow path. Two records per cache line.
  struct alignas(32) bucket {
    peer_index first;
    std::uint32_t first_id;
    float join_up, depart_down;  // [join_up, depart_down) within the lifetime
    float join_down, depart_up;  // the lifetime within [join_down, depart_up)
    std::uint32_t count;
    // 1: the first member was on-line at t; 0: it was not; -1: too close to tell.
    int state(double t) const {
      if (static_cast<double>(join_up) <= t && t < static_cast<double>(depart_down)) return 1;
      if (t < static_cast<double>(join_down) || static_cast<double>(depart_up) <= t) return 0;
      return -1;
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
