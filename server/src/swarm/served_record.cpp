#include "swarm/served_record.hpp"

#include <algorithm>

namespace circlecdn::swarm {

void served_record::record(const peer_id& id, const content_hash& h) {
  if (max_ids_ == 0 || max_per_id_ == 0) return;
  auto it = map_.find(id);
  if (it == map_.end()) {
    if (map_.size() >= max_ids_) {
      map_.erase(by_age_.back());
      by_age_.pop_back();
    }
    by_age_.push_front(id);
    it = map_.emplace(id, entry{{}, 0, by_age_.begin()}).first;
  } else {
    by_age_.splice(by_age_.begin(), by_age_, it->second.age);
  }
  auto& e = it->second;
  if (std::find(e.hashes.begin(), e.hashes.end(), h) != e.hashes.end()) return;
  if (e.hashes.size() < max_per_id_) {
    e.hashes.push_back(h);
  } else {
    e.hashes[e.next] = h;  // overwrite the oldest
    e.next = (e.next + 1) % max_per_id_;
  }
}

std::vector<content_hash> served_record::take(const peer_id& id) {
  auto it = map_.find(id);
  if (it == map_.end()) return {};
  auto& e = it->second;
  std::vector<content_hash> out;
  out.reserve(e.hashes.size());
  for (std::size_t i = 0; i < e.hashes.size(); ++i)
    out.push_back(e.hashes[(e.next + i) % e.hashes.size()]);
  by_age_.erase(e.age);
  map_.erase(it);
  return out;
}

}  // namespace circlecdn::swarm
