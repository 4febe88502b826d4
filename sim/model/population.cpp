#include "model/population.hpp"

#include <cmath>

#include "model/distributions.hpp"

namespace circlecdn::sim {

namespace {
constexpr double mbps_to_bytes_s = 1e6 / 8.0;
}

population::population(const scenario& s)
    : world_diameter_ms_(s.world_diameter_ms),
      access_min_ms_(s.access_min_ms),
      access_max_ms_(s.access_max_ms),
      server_access_ms_(s.server_access_ms),
      up_median_(s.upload_median_mbps * mbps_to_bytes_s),
      up_sigma_(s.upload_sigma),
      down_median_(s.download_median_mbps * mbps_to_bytes_s),
      down_sigma_(s.download_sigma),
      abrupt_fraction_(s.abrupt_fraction),
      detect_abrupt_s_(s.disconnect_detect_s) {}

peer_index population::join(double now, double depart_s, rng& r) {
  peer_index p;
  if (!free_.empty()) {
    p = free_.back();
    free_.pop_back();
  } else {
    p = static_cast<peer_index>(hot_.size());
    hot_.push_back(hot{});
    up_bytes_s_.push_back(0);
    down_bytes_s_.push_back(0);
    abrupt_.push_back(0);
    probe_.push_back(0);
    alive_pos_.push_back(0);
  }
  hot& h = hot_[p];
  h.uid = next_uid_++;
  h.join_s = now;
  h.depart_s = depart_s;
  // Uniform in a disc of the world's diameter: distance between two points is propagation RTT.
  const double radius = 0.5 * world_diameter_ms_ * std::sqrt(r.uniform());
  const double angle = 6.283185307179586 * r.uniform();
  h.at.x_ms = static_cast<float>(radius * std::cos(angle));
  h.at.y_ms = static_cast<float>(radius * std::sin(angle));
  h.at.access_ms =
      static_cast<float>(access_min_ms_ + (access_max_ms_ - access_min_ms_) * r.uniform());
  up_bytes_s_[p] = static_cast<float>(lognormal(r, up_median_, up_sigma_));
  down_bytes_s_[p] = static_cast<float>(lognormal(r, down_median_, down_sigma_));
  abrupt_[p] = r.uniform() < abrupt_fraction_ ? 1 : 0;
  probe_[p] = 0;
  alive_pos_[p] = static_cast<std::uint32_t>(alive_.size());
  alive_.push_back(p);
  return p;
}

void population::leave(peer_index p, double now, double keep_s) {
  if (hot_[p].depart_s > now) hot_[p].depart_s = now;
  const std::uint32_t pos = alive_pos_[p];
  const peer_index last = alive_.back();
  alive_[pos] = last;
  alive_pos_[last] = pos;
  alive_.pop_back();
  releasing_.emplace_back(now + keep_s, p);
}

}  // namespace circlecdn::sim
