#pragma once
// The one-process directory: hash -> holders. Small holder sets are plain vectors scanned
// linearly; a set past index_threshold gets a position index so removal stays O(1) when a
// popular resource has thousands of holders leaving (flash crowd churn).
#include <memory>
#include <unordered_map>

#include "swarm/directory.hpp"

namespace circlecdn::swarm {

class memory_directory final : public directory {
 public:
  static constexpr std::size_t index_threshold = 32;

  void add(const content_hash& h, const peer_id& p) override;
  void remove(const content_hash& h, const peer_id& p) override;
  void sample(const content_hash& h, std::size_t max, std::vector<peer_id>& out) override;
  std::size_t holders(const content_hash& h) const override;
  std::size_t entries() const override { return entries_; }
  std::size_t hashes() const override { return map_.size(); }
  // Every hash with at least one holder (a cluster mirror re-sending what it holds).
  template <class F>
  void for_each_hash(F&& f) const {
    for (const auto& [h, set] : map_) f(h);
  }
  // Every (hash, holder) pair.
  template <class F>
  void for_each_holding(F&& f) const {
    for (const auto& [h, set] : map_)
      for (const auto& p : set.peers) f(h, p);
  }

 private:
  struct holder_set {
    std::vector<peer_id> peers;
    std::unique_ptr<std::unordered_map<peer_id, std::uint32_t>> index;  // null until large
    std::uint32_t cursor = 0;
    std::ptrdiff_t find(const peer_id& p) const;
  };
  std::unordered_map<content_hash, holder_set> map_;
  std::size_t entries_ = 0;
};

}  // namespace circlecdn::swarm
