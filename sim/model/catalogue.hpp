#pragma once
// The site: `catalogue` resources, each with a size and a Zipf popularity rank (resource 0 is the
// most popular), and a position on the Chord id ring (a hash of its index, as SHA-256 would be).
#include <cstdint>
#include <vector>

#include "model/distributions.hpp"
#include "model/scenario.hpp"

namespace circlecdn::sim {

using resource_index = std::uint32_t;

class catalogue {
 public:
  catalogue(const scenario& s, std::uint64_t seed);
  resource_index sample(rng& r) const { return popularity_.sample(r); }
  std::uint32_t size_bytes(resource_index r) const { return size_bytes_[r]; }
  std::uint32_t key(resource_index r) const { return mix32(r * 2654435761u + 0x5bd1e995u); }
  std::size_t count() const { return size_bytes_.size(); }
  const alias_table& popularity() const { return popularity_; }

 private:
  alias_table popularity_;
  std::vector<std::uint32_t> size_bytes_;
};

}  // namespace circlecdn::sim
