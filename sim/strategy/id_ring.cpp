#include "strategy/id_ring.hpp"

namespace circlecdn::sim {

id_ring::id_ring(unsigned bucket_bits)
    : shift_(32 - bucket_bits),
      head_(std::size_t{1} << bucket_bits, no_peer),
      nonempty_(((std::size_t{1} << bucket_bits) + 63) / 64, 0) {}

void id_ring::insert(peer_index p, std::uint32_t id, double join_s, double depart_s) {
  member_[p] = member{id, no_peer, join_s, depart_s};
  const std::size_t b = id >> shift_;
  peer_index* link = &head_[b];
  while (*link != no_peer && member_[*link].id < id) link = &member_[*link].next;
  member_[p].next = *link;
  *link = p;
  nonempty_[b >> 6] |= std::uint64_t{1} << (b & 63);
  ++members_;
}

void id_ring::erase(peer_index p) {
  const std::size_t b = member_[p].id >> shift_;
  peer_index* link = &head_[b];
  while (*link != no_peer && *link != p) link = &member_[*link].next;
  if (*link == no_peer) return;
  *link = member_[p].next;
  member_[p].next = no_peer;
  if (head_[b] == no_peer) nonempty_[b >> 6] &= ~(std::uint64_t{1} << (b & 63));
  --members_;
}

bool id_ring::contains_id(std::uint32_t id) const {
  for (peer_index p = head_[id >> shift_]; p != no_peer; p = member_[p].next) {
    if (member_[p].id == id) return true;
  }
  return false;
}

}  // namespace circlecdn::sim
