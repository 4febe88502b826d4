#pragma once
// What the origin served to which visitor id over HTTP, so the tracker knows what a peer received
// before it says anything. Bounded twice: hashes per id, and ids in total (oldest visitor forgotten
// first).
#include <cstddef>
#include <list>
#include <unordered_map>
#include <vector>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"

namespace circlecdn::swarm {

class served_record {
 public:
  served_record(std::size_t max_ids, std::size_t max_hashes_per_id)
      : max_ids_(max_ids), max_per_id_(max_hashes_per_id) {}

  void record(const peer_id& id, const content_hash& h);
  // Hands over (and forgets) what was recorded for id, oldest first.
  std::vector<content_hash> take(const peer_id& id);
  std::size_t ids() const { return map_.size(); }

 private:
  struct entry {
    std::vector<content_hash> hashes;  // ring once full
    std::size_t next = 0;
    std::list<peer_id>::iterator age;
  };
  std::size_t max_ids_, max_per_id_;
  std::unordered_map<peer_id, entry> map_;
  std::list<peer_id> by_age_;  // front = most recently served
};

}  // namespace circlecdn::swarm
