#include "signal/challenges.hpp"

#include <algorithm>

#include "core/random_id.hpp"

namespace circlecdn::signal {

challenges::challenges(double per_s, std::chrono::milliseconds timeout)
    : per_s_(per_s), timeout_(timeout), tokens_(std::max(1.0, per_s)) {}

bool challenges::spend(clock::time_point now) {
  if (per_s_ <= 0) return false;
  if (refilled_ != clock::time_point{}) {
    double elapsed = std::chrono::duration<double>(now - refilled_).count();
    tokens_ = std::min(std::max(1.0, per_s_), tokens_ + std::max(0.0, elapsed) * per_s_);
  }
  refilled_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

bool challenges::may_open(const peer_id& peer, const content_hash& h) const {
  if (open_.size() >= challenge_rules::open_total) return false;
  std::size_t mine = 0;
  for (const auto& c : open_) {
    if (c.peer != peer) continue;
    if (c.hash == h) return false;
    ++mine;
  }
  return mine < challenge_rules::open_per_peer;
}

std::uint32_t challenges::open(const peer_id& peer, const content_hash& h,
                               const content_hash& expected, reason why, clock::time_point now) {
  next_id_ = next_id_ % 0x7fffffff + 1;  // 1 .. 2^31-1, like want ids
  open_.push_back({next_id_, peer, h, expected, now + timeout_, why});
  return next_id_;
}

std::optional<challenges::open_challenge> challenges::close(const peer_id& peer, std::uint32_t id) {
  auto it = std::find_if(open_.begin(), open_.end(),
                         [&](const open_challenge& c) { return c.id == id && c.peer == peer; });
  if (it == open_.end()) return std::nullopt;
  auto c = *it;
  open_.erase(it);
  return c;
}

std::vector<challenges::open_challenge> challenges::take_expired(clock::time_point now) {
  std::vector<open_challenge> out;
  std::erase_if(open_, [&](const open_challenge& c) {
    if (c.deadline > now) return false;
    out.push_back(c);
    return true;
  });
  return out;
}

void challenges::forget(const peer_id& peer) {
  std::erase_if(open_, [&](const open_challenge& c) { return c.peer == peer; });
}

void challenges::renamed(const peer_id& from, const peer_id& to) {
  for (auto& c : open_)
    if (c.peer == from) c.peer = to;
}

nonce nonce::fresh() {
  nonce n;
  n.bytes = random_bytes(challenge_rules::nonce_bytes);
  static constexpr char digits[] = "0123456789abcdef";
  for (unsigned char b : n.bytes) {
    n.hex += digits[b >> 4];
    n.hex += digits[b & 15];
  }
  return n;
}

}  // namespace circlecdn::signal
