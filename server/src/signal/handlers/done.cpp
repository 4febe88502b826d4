// `done`: a transfer ends. Its outcome goes to the holder's record and the wanter's exclusions
// (docs/protocol.md, "Failed peer paths"); the holder's upload slot is freed.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"
#include "swarm/path_outcomes.hpp"

namespace circlecdn::signal {

void tracker::record_outcome(peer_state& wanter, peer_state& holder, const content_hash& h, bool ok,
                             clock::time_point now, done_reason why) {
  if (ledger_.record_outcome(holder.id, ok, wanter.id, now)) {
    ++counters_.holders_unreachable;
    spdlog::info("event=holder_unreachable holder={} (its pairings mostly failed)",
                 holder.id.str());
  }
  if (ok) return;
  // A timeout came after the channel opened: the holder is slow, not unreachable.
  ledger_.exclude(wanter.id, holder.id, now,
                  why == done_reason::timeout ? swarm::path_rules::timeout_exclusion_life
                                              : swarm::path_rules::exclusion_life);
  // Does it hold what it was matched for? A squatter fails at once; an honest holder behind a
  // hostile NAT passes and only loses this wanter (tracker_checks.cpp).
  challenge(holder, h, challenges::reason::failed_path, now);
}

void tracker::on_done(peer_state& p, const done_msg& m, clock::time_point now) {
  auto t = ledger_.close_transfer(p.id, m.id);
  if (!t)
    return send_error(p, error_code::unknown_want, "no want with this id is in flight", "done", {},
                      m.id);
  auto* holder = online(t->holder);
  if (!holder) return;  // (leave() ends a peer's transfers: not in one process)
  // A want the wanter gave up because the origin won its race is no outcome of this path: the
  // holder is neither credited nor blamed, only its slot is freed.
  if (m.reason != done_reason::superseded) record_outcome(p, *holder, t->hash, m.ok, now, m.reason);
  if (m.ok) {
    ++holder->uploads_completed;
    auto matched_at = t->deadline - lim_.want_timeout;
    counters_.pairing_seconds.observe(
        std::max(0.0, std::chrono::duration<double>(now - matched_at).count()));
    auto bytes = std::min(m.bytes, lim_.item_bytes_max);
    counters_.peer_bytes_done += bytes;
    if (auto b = counters_.peer_bytes_by_hash.find(t->hash);
        b != counters_.peer_bytes_by_hash.end())
      b->second += bytes;
    else if (counters_.peer_bytes_by_hash.size() < lim_.resources_remembered)
      counters_.peer_bytes_by_hash.emplace(t->hash, bytes);
    else
      counters_.peer_bytes_other += bytes;
  }
  if (!m.ok && m.reason != done_reason::superseded) {
    if (spdlog::should_log(spdlog::level::debug))
      spdlog::debug("event=path_failed wanter={} holder={} hash={}", p.id.str(), holder->id.str(),
                    t->hash.hex());
    if (m.reason == done_reason::connect_failed)
      ++counters_.paths_failed_connect;
    else if (m.reason == done_reason::timeout)
      ++counters_.paths_failed_timeout;
    else
      ++counters_.paths_failed_closed;
  }
  // The wanter gave up: the holder stops pushing what nobody reads (a race the origin won left
  // holders pushing whole pieces through TURN in the WAN lab).
  if (!m.ok) holder->link->deliver(make_cancel(m.id, t->hash, p.id, "holder", "abandoned"));
}

}  // namespace circlecdn::signal
