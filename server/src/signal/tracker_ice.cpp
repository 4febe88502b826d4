#include <algorithm>

#include "signal/detail/peer_state.hpp"
#include "signal/ice_servers.hpp"
#include "signal/tracker.hpp"

// The tracker's TURN credentials: issued with every welcome, renewed before they expire.
namespace circlecdn::signal {

namespace {
// Credentials are renewed when this share of their life has passed: the page has the remaining
// fifth (12 min at the default hour) to receive them, even across a reconnect.
constexpr double renew_at_share = 0.8;
constexpr std::chrono::seconds min_renew_after{1};
}  // namespace

std::string tracker::issue_ice(peer_state& p, clock::time_point now) {
  auto members = ice_members(ice_, p.id, wall_());
  if (ice_.issues_credentials()) {
    p.ice_serial = ++ice_serial_;
    auto renew_after = std::max<clock::duration>(
        min_renew_after,
        std::chrono::duration_cast<clock::duration>(ice_.turn_ttl * renew_at_share));
    renewals_.push({now + renew_after, p.id, p.ice_serial}, peers_.size(), [&](const auto& e) {
      auto it = peers_.find(e.peer);
      return it == peers_.end() || it->second->ice_serial != e.serial;
    });
  }
  return members;
}

void tracker::renew_ice(clock::time_point now) {
  renewals_.pop_due(now, [&](const ice_renewals::entry& e) {
    auto it = peers_.find(e.peer);
    if (it == peers_.end() || it->second->ice_serial != e.serial) return;  // left, or re-issued
    auto& p = *it->second;
    if (p.closing) return;
    ++counters_.ice_renewals;
    p.link->deliver(make_ice(issue_ice(p, now)));
  });
}

}  // namespace circlecdn::signal
