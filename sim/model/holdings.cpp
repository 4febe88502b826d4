#include "model/holdings.hpp"

namespace circlecdn::sim {

void holdings::add(peer_index p, resource_index r, double available_s) {
  const float a = static_cast<float>(available_s);
  chunk* c = &inline_[p];
  for (;;) {
    for (std::uint32_t i = 0; i < c->count; ++i) {
      if (c->items[i] == r) {
        c->available_s[i] = a;
        return;
      }
    }
    if (c->count < per_chunk || c->next == none) break;
    c = &pool_[c->next];
  }
  ++size_;
  if (c->count == per_chunk) {
    // c is the last chunk of p's chain and full: link a fresh one after it.
    std::uint32_t fresh;
    if (free_chunk_ != none) {
      fresh = free_chunk_;
      free_chunk_ = pool_[fresh].next;
    } else {
      fresh = static_cast<std::uint32_t>(pool_.size());
      pool_.emplace_back();  // may move pool_: find c again below
    }
    pool_[fresh].next = none;
    pool_[fresh].count = 0;
    chunk* last = &inline_[p];
    while (last->next != none) last = &pool_[last->next];
    last->next = fresh;
    c = &pool_[fresh];
  }
  c->items[c->count] = r;
  c->available_s[c->count] = a;
  ++c->count;
}

void holdings::remove_all(peer_index p) {
  chunk& head = inline_[p];
  size_ -= head.count;
  head.count = 0;
  std::uint32_t c = head.next;
  head.next = none;
  while (c != none) {
    size_ -= pool_[c].count;
    const std::uint32_t next = pool_[c].next;
    pool_[c].next = free_chunk_;
    free_chunk_ = c;
    c = next;
  }
}

}  // namespace circlecdn::sim
