#include "swarm/memory_directory.hpp"

#include <algorithm>

namespace circlecdn::swarm {

std::ptrdiff_t memory_directory::holder_set::find(const peer_id& p) const {
  if (index) {
    auto it = index->find(p);
    return it == index->end() ? -1 : static_cast<std::ptrdiff_t>(it->second);
  }
  auto it = std::find(peers.begin(), peers.end(), p);
  return it == peers.end() ? -1 : it - peers.begin();
}

void memory_directory::add(const content_hash& h, const peer_id& p) {
  auto& set = map_[h];
  if (set.find(p) >= 0) return;
  set.peers.push_back(p);
  ++entries_;
  if (set.index) {
    set.index->emplace(p, static_cast<std::uint32_t>(set.peers.size() - 1));
  } else if (set.peers.size() > index_threshold) {
    set.index = std::make_unique<std::unordered_map<peer_id, std::uint32_t>>();
    set.index->reserve(set.peers.size() * 2);
    for (std::uint32_t i = 0; i < set.peers.size(); ++i) set.index->emplace(set.peers[i], i);
  }
}

void memory_directory::remove(const content_hash& h, const peer_id& p) {
  auto it = map_.find(h);
  if (it == map_.end()) return;
  auto& set = it->second;
  auto pos = set.find(p);
  if (pos < 0) return;
  // Swap-remove: move the last holder into the hole and fix its index entry.
  auto upos = static_cast<std::size_t>(pos);
  if (upos + 1 != set.peers.size()) {
    set.peers[upos] = set.peers.back();
    if (set.index) (*set.index)[set.peers[upos]] = static_cast<std::uint32_t>(upos);
  }
  set.peers.pop_back();
  if (set.index) set.index->erase(p);
  --entries_;
  if (set.peers.empty()) {
    map_.erase(it);
  } else if (set.index && set.peers.size() <= index_threshold / 2) {
    set.index.reset();  // shrink back: the index costs more than it saves on a small set
  }
}

void memory_directory::sample(const content_hash& h, std::size_t max, std::vector<peer_id>& out) {
  out.clear();
  auto it = map_.find(h);
  if (it == map_.end()) return;
  auto& set = it->second;
  std::size_t n = set.peers.size();
  std::size_t take = std::min(max, n);
  std::size_t start = set.cursor % n;
  for (std::size_t i = 0; i < take; ++i) out.push_back(set.peers[(start + i) % n]);
  set.cursor = static_cast<std::uint32_t>((start + take) % n);
}

std::size_t memory_directory::holders(const content_hash& h) const {
  auto it = map_.find(h);
  return it == map_.end() ? 0 : it->second.peers.size();
}

}  // namespace circlecdn::swarm
