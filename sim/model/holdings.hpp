#pragma once
// What each on-line visitor holds (verified and stored) and from when: one 64-byte chunk per slot
// (up to 7 resources with the time each became available), and further chunks from a pool for the
// few long visits that hold more. "Does p hold r?" reads p's own cache line, no hash table; a
// leaving visitor's holdings are dropped by emptying its chunk. Storage is allocated in bulk and
// reused: no allocation per request.
#include <cstdint>
#include <vector>

#include "engine/big_vector.hpp"
#include "model/catalogue.hpp"
#include "model/population.hpp"

namespace circlecdn::sim {

class holdings {
 public:
  void grow(std::size_t slots) {
    if (inline_.size() < slots) inline_.resize(slots, chunk{none, 0, {}, {}});
  }
  // p holds r from available_s on (the time its download completes).
  void add(peer_index p, resource_index r, double available_s);
  // Held or being fetched (available at any time).
  bool contains(peer_index p, resource_index r) const { return find(p, r) != nullptr; }
  // Held and complete at time t.
  bool available(peer_index p, resource_index r, double t) const {
    const float* a = find(p, r);
    return a != nullptr && *a <= t;
  }
  template <class F>
  void for_each(peer_index p, F&& f) const {
    const chunk* c = &inline_[p];
    for (;;) {
      for (std::uint32_t i = 0; i < c->count; ++i) f(c->items[i]);
      if (c->next == none) return;
      c = &pool_[c->next];
    }
  }
  void remove_all(peer_index p);
  std::size_t size() const { return size_; }

 private:
  static constexpr std::uint32_t none = ~std::uint32_t{0};
  static constexpr std::uint32_t per_chunk = 7;
  struct alignas(64) chunk {
    std::uint32_t next;  // index in pool_, or none
    std::uint32_t count;
    resource_index items[per_chunk];
    float available_s[per_chunk];
  };
  static_assert(sizeof(chunk) == 64);
  const float* find(peer_index p, resource_index r) const {
    const chunk* c = &inline_[p];
    for (;;) {
      for (std::uint32_t i = 0; i < c->count; ++i) {
        if (c->items[i] == r) return &c->available_s[i];
      }
      if (c->next == none) return nullptr;
      c = &pool_[c->next];
    }
  }

  big_vector<chunk> inline_;  // slot p's first chunk
  big_vector<chunk> pool_;
  std::uint32_t free_chunk_ = none;
  std::size_t size_ = 0;
};

}  // namespace circlecdn::sim
