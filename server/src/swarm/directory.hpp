#pragma once
// Which peer holds which content hash. Behind an interface because a later part shares it between
// server processes through Redis; the tracker only ever talks to this.
#include <cstddef>
#include <span>
#include <vector>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"

namespace circlecdn::swarm {

class directory {
 public:
  virtual ~directory() = default;
  // Idempotent: adding a holding twice keeps one entry.
  virtual void add(const content_hash& h, const peer_id& p) = 0;
  virtual void remove(const content_hash& h, const peer_id& p) = 0;
  // Up to `max` holders of h, starting where the last call for h left off, so repeated wants
  // spread over all holders instead of hammering the first ones.
  virtual void sample(const content_hash& h, std::size_t max, std::vector<peer_id>& out) = 0;
  virtual std::size_t holders(const content_hash& h) const = 0;
  // Number of (hash, peer) entries: what a leaving peer must bring back down.
  virtual std::size_t entries() const = 0;
  virtual std::size_t hashes() const = 0;
};

}  // namespace circlecdn::swarm
