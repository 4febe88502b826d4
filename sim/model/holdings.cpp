#include "model/holdings.hpp"

namespace circlecdn::sim {

namespace {
constexpr std::size_t initial_capacity = 1024;
}

holdings::holdings() {
  rehash(initial_capacity);
}

void holdings::rehash(std::size_t capacity) {
  big_vector<entry> old(capacity, entry{empty_key, 0});
  old.swap(table_);
  shift_ = 64;
  for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
  const std::uint32_t mask = static_cast<std::uint32_t>(capacity - 1);
  for (const entry& e : old) {
    if (e.key == empty_key) continue;
    std::uint32_t j = slot_of(e.key);
    while (table_[j].key != empty_key) j = (j + 1) & mask;
    table_[j] = e;
  }
}

std::uint32_t holdings::find(std::uint64_t k) const {
  const std::uint32_t mask = static_cast<std::uint32_t>(table_.size() - 1);
  for (std::uint32_t j = slot_of(k);; j = (j + 1) & mask) {
    if (table_[j].key == k) return j;
    if (table_[j].key == empty_key) return none;
  }
}

void holdings::add(peer_index p, resource_index r, double available_s) {
  if (2 * (size_ + 1) > table_.size()) rehash(table_.size() * 2);
  const std::uint64_t k = key(p, r);
  const std::uint32_t mask = static_cast<std::uint32_t>(table_.size() - 1);
  std::uint32_t j = slot_of(k);
  while (table_[j].key != empty_key) {
    if (table_[j].key == k) {
      table_[j].available_s = static_cast<float>(available_s);
      return;
    }
    j = (j + 1) & mask;
  }
  table_[j] = entry{k, static_cast<float>(available_s)};
  ++size_;
  std::uint32_t c = head_[p];
  if (c == none || chunks_[c].count == 14) {
    std::uint32_t fresh;
    if (free_chunk_ != none) {
      fresh = free_chunk_;
      free_chunk_ = chunks_[fresh].next;
    } else {
      fresh = static_cast<std::uint32_t>(chunks_.size());
      chunks_.emplace_back();
    }
    chunks_[fresh].next = c;
    chunks_[fresh].count = 0;
    head_[p] = fresh;
    c = fresh;
  }
  chunks_[c].items[chunks_[c].count++] = r;
}

void holdings::erase(std::uint64_t k) {
  const std::uint32_t mask = static_cast<std::uint32_t>(table_.size() - 1);
  std::uint32_t i = find(k);
  if (i == none) return;
  // Backward-shift deletion keeps linear probing free of tombstones.
  std::uint32_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    if (table_[j].key == empty_key) break;
    const std::uint32_t home = slot_of(table_[j].key);
    // Move j into the hole at i unless its home lies cyclically in (i, j].
    const bool home_in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!home_in_range) {
      table_[i] = table_[j];
      i = j;
    }
  }
  table_[i].key = empty_key;
  --size_;
}

void holdings::remove_all(peer_index p) {
  std::uint32_t c = head_[p];
  while (c != none) {
    for (std::uint32_t i = 0; i < chunks_[c].count; ++i) erase(key(p, chunks_[c].items[i]));
    const std::uint32_t next = chunks_[c].next;
    chunks_[c].next = free_chunk_;
    free_chunk_ = c;
    c = next;
  }
  head_[p] = none;
}

}  // namespace circlecdn::sim
