// `announce` and `drop`: what a peer holds, recorded in the ledger within the caps.
#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

void tracker::on_announce(peer_state& p, const announce_msg& m, clock::time_point now) {
  std::vector<content_hash> unknown, over, added;
  for (auto& h : m.have) {
    if (!known_hash_(h)) {
      unknown.push_back(h);
    } else if (!ledger_.holds(p.id, h)) {
      // Each peer's share, and everyone's together: 200 peers x 8,192 holdings took 229 MiB.
      if (ledger_.holdings_of(p.id) >= lim_.holdings_per_peer ||
          ledger_.entries() >= lim_.holdings_total) {
        over.push_back(h);
        continue;
      }
      ledger_.add_holding(p.id, h);
      ledger_.fetch_ended(h);  // it has a holder now
      added.push_back(h);
    }
  }
  sample_challenge(p, added, now);
  if (!unknown.empty())
    send_error(p, error_code::unknown_hash, "not in the current manifest; not recorded", "announce",
               unknown);
  if (!over.empty())
    send_error(p, error_code::too_many_holdings,
               ledger_.holdings_of(p.id) >= lim_.holdings_per_peer
                   ? "over " + std::to_string(lim_.holdings_per_peer) + " hashes; not recorded"
                   : "the server holds its maximum of holdings; not recorded",
               "announce", over);
}

void tracker::remove_holding(peer_state& p, const content_hash& h) {
  ledger_.remove_holding(p.id, h);
}

void tracker::on_drop(peer_state& p, const drop_msg& m) {
  for (auto& h : m.hashes) remove_holding(p, h);
}

}  // namespace circlecdn::signal
