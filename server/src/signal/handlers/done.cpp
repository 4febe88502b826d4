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
  wanter_outcome(wanter.id, holder.id, ok, now, why);
  holder_outcome(holder, wanter.id, h, ok, now);
}

void tracker::wanter_outcome(const peer_id& wanter, const peer_id& holder, bool ok,
                             clock::time_point now, done_reason why) {
  if (ok) return;
  // A timeout came after the channel opened: the holder is slow, not unreachable.
  ledger_.exclude(wanter, holder, now,
                  why == done_reason::timeout ? swarm::path_rules::timeout_exclusion_life
                                              : swarm::path_rules::exclusion_life);
}

void tracker::holder_outcome(peer_state& holder, const peer_id& wanter, const content_hash& h,
                             bool ok, clock::time_point now) {
  if (ledger_.record_outcome(holder.id, ok, wanter, now)) {
    ++counters_.holders_unreachable;
    spdlog::info("event=holder_unreachable holder={} (its pairings mostly failed)",
                 holder.id.str());
  }
  note_holder(holder.id);
  if (ok) return;
  // Does it hold what it was matched for? A squatter fails at once; an honest holder behind a
  // hostile NAT passes and only loses this wanter (tracker_checks.cpp).
  challenge(holder, h, challenges::reason::failed_path, now);
}

void tracker::on_done(peer_state& p, const done_msg& m, clock::time_point now) {
  auto t = ledger_.close_transfer(p.id, m.id);
  if (!t)
    return send_error(p, error_code::unknown_want, "no want with this id is in flight", "done", {},
                      m.id);
  peer_state* holder = nullptr;
  if (t->remote()) {
    // The holder's half of the outcome is its process's: told with a `done` order.
    if (m.reason != done_reason::superseded) wanter_outcome(p.id, t->holder, m.ok, now, m.reason);
    send_order(t->process, order_of(order_kind::done, p.id, t->holder, m.id, t->hash, m.ok,
                                    std::to_string(static_cast<int>(m.reason))));
    release_remote(t->holder);
  } else {
    holder = online(t->holder);
    if (!holder) return;  // (leave() ends a peer's transfers: not in one process)
    // A want the wanter gave up because the origin won its race is no outcome of this path: the
    // holder is neither credited nor blamed, only its slot is freed.
    if (m.reason != done_reason::superseded)
      record_outcome(p, *holder, t->hash, m.ok, now, m.reason);
    else
      note_holder(holder->id);
  }
  if (m.ok) {
    if (holder) ++holder->uploads_completed;
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
      spdlog::debug("event=path_failed wanter={} holder={} hash={}", p.id.str(), t->holder.str(),
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
  if (!m.ok && holder)
    holder->link->deliver(make_cancel(m.id, t->hash, p.id, "holder", "abandoned"));
}

}  // namespace circlecdn::signal
