#include "strategy/id_ring.hpp"

#include <cmath>

namespace circlecdn::sim {

namespace {
float round_up(double v) {
  float f = static_cast<float>(v);
  if (static_cast<double>(f) < v) f = std::nextafter(f, 3.0e38f);
  return f;
}
float round_down(double v) {
  float f = static_cast<float>(v);
  if (static_cast<double>(f) > v) f = std::nextafter(f, -3.0e38f);
  return f;
}
}  // namespace

id_ring::id_ring(unsigned bucket_bits)
    : shift_(32 - bucket_bits),
      head_(std::size_t{1} << bucket_bits, bucket{no_peer, 0, 0, 0, 0, 0, 0}),
      nonempty_(((std::size_t{1} << bucket_bits) + 63) / 64, 0) {}

void id_ring::refresh_head(std::size_t b) {
  bucket& h = head_[b];
  if (h.first == no_peer) {
    h.first_id = 0;
    h.join_up = h.depart_down = h.join_down = h.depart_up = 0;
    return;
  }
  const member& m = member_[h.first];
  h.first_id = m.id;
  h.join_up = round_up(m.join_s);
  h.depart_down = round_down(m.depart_s);
  h.join_down = round_down(m.join_s);
  h.depart_up = round_up(m.depart_s);
}

void id_ring::insert(peer_index p, std::uint32_t id, double join_s, double depart_s) {
  member_[p] = member{id, no_peer, join_s, depart_s};
  const std::size_t b = id >> shift_;
  peer_index* link = &head_[b].first;
  while (*link != no_peer && member_[*link].id < id) link = &member_[*link].next;
  member_[p].next = *link;
  *link = p;
  ++head_[b].count;
  refresh_head(b);
  nonempty_[b >> 6] |= std::uint64_t{1} << (b & 63);
  ++members_;
}

void id_ring::set_depart(peer_index p, double depart_s) {
  member_[p].depart_s = depart_s;
  const std::size_t b = member_[p].id >> shift_;
  if (head_[b].first == p) refresh_head(b);
}

void id_ring::erase(peer_index p) {
  const std::size_t b = member_[p].id >> shift_;
  peer_index* link = &head_[b].first;
  while (*link != no_peer && *link != p) link = &member_[*link].next;
  if (*link == no_peer) return;
  *link = member_[p].next;
  member_[p].next = no_peer;
  --head_[b].count;
  refresh_head(b);
  if (head_[b].first == no_peer) nonempty_[b >> 6] &= ~(std::uint64_t{1} << (b & 63));
  --members_;
}

bool id_ring::contains_id(std::uint32_t id) const {
  for (peer_index p = head_[id >> shift_].first; p != no_peer; p = member_[p].next) {
    if (member_[p].id == id) return true;
  }
  return false;
}

}  // namespace circlecdn::sim
