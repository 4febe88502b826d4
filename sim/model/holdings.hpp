#pragma once
// What each on-line visitor holds (verified and stored) and from when: one open-addressing hash
// table keyed by (slot, resource) with the time the bytes became available, plus a per-slot list
// (64-byte chunks from a pool) so a leaving visitor's holdings can be walked and dropped.
// Storage is allocated in bulk and reused: no allocation per request.
#include <cstdint>
#include <vector>

#include "engine/big_vector.hpp"
#include "model/catalogue.hpp"
#include "model/population.hpp"

namespace circlecdn::sim {

class holdings {
 public:
  holdings();
  void grow(std::size_t slots) {
    if (head_.size() < slots) head_.resize(slots, none);
  }
  // p holds r from available_s on (the time its download completes).
  void add(peer_index p, resource_index r, double available_s);
  // Held or being fetched (available at any time).
  bool contains(peer_index p, resource_index r) const { return find(key(p, r)) != none; }
  // Held and complete at time t.
  bool available(peer_index p, resource_index r, double t) const {
    const std::uint32_t i = find(key(p, r));
    return i != none && table_[i].available_s <= t;
  }
  template <class F>
  void for_each(peer_index p, F&& f) const {
    for (std::uint32_t c = head_[p]; c != none; c = chunks_[c].next) {
      for (std::uint32_t i = 0; i < chunks_[c].count; ++i) f(chunks_[c].items[i]);
    }
  }
  void remove_all(peer_index p);
  std::size_t size() const { return size_; }

 private:
  static constexpr std::uint32_t none = ~std::uint32_t{0};
  static constexpr std::uint64_t empty_key = ~std::uint64_t{0};
  struct chunk {
    std::uint32_t next;
    std::uint32_t count;
    std::uint32_t items[14];
  };
  static std::uint64_t key(peer_index p, resource_index r) {
    return (static_cast<std::uint64_t>(p) << 32) | r;
  }
  std::uint32_t slot_of(std::uint64_t k) const {
    return static_cast<std::uint32_t>((k * 0x9e3779b97f4a7c15ull) >> shift_);
  }
  std::uint32_t find(std::uint64_t k) const;
  void erase(std::uint64_t k);
  void rehash(std::size_t capacity);

  struct entry {
    std::uint64_t key;
    float available_s;
  };
  big_vector<entry> table_;
  std::size_t size_ = 0;
  unsigned shift_ = 0;
  big_vector<std::uint32_t> head_;
  big_vector<chunk> chunks_;
  std::uint32_t free_chunk_ = none;
};

}  // namespace circlecdn::sim
