// `hello`: the upload settings a visitor chose, and taking back an earlier id (resume).
#include <algorithm>

#include "routing/chord_ids.hpp"
#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

void tracker::on_hello(peer_state& p, hello_msg& m, clock::time_point now) {
  if (m.upload && !*m.upload) p.max_uploads = 0;
  if (m.max_uploads) p.max_uploads = std::min(*m.max_uploads, lim_.uploads_per_holder);
  bool renamed = false;
  note_holder(p.id);
  if (m.resume) {
    auto id = tokens_.check_resume(*m.resume, token_signer::clock::now());
    if (!id) {
      send_error(p, error_code::bad_token, "resume token forged or expired; keeping your id",
                 "hello");
    } else if (*id != p.id) {
      // Ring links the server ordered at its join are not the peer's doing.
      bool fresh = ledger_.holdings_of(p.id) == 0 && ledger_.wants_of(p.id) == 0 &&
                   ledger_.uploads_of(p.id) == 0 && p.wants_pending.empty() &&
                   (!p.routing || p.routing->pending_misses.empty()) &&
                   std::all_of(p.paired.begin(), p.paired.end(),
                               [](auto& x) { return x.kinds == pairing_kind::ring_link; });
      if (!fresh) {
        send_error(p, error_code::bad_message, "resume: must come before any other message",
                   "hello");
        return;
      }
      bool position_taken = lim_.routing.strategy == routing::strategy::chord &&
                            chord_positions_.contains(routing::chord_position(*id));
      if (position_taken) {
        // Someone drew that Chord position since: two peers at one position split its keys.
        send_error(p, error_code::bad_token,
                   "resume: that id's Chord position is taken; keeping "
                   "your id",
                   "hello");
      } else if (!peers_.contains(*id)) {  // the old connection is gone: take its id back
        // Off the ring (or the circle) under the old id; back on under the new one after the
        // welcome.
        routing_leave(p);
        renamed = true;
        auto node = peers_.extract(p.id);
        challenges_.renamed(p.id, *id);
        ledger_.rename(p.id, *id);
        node.key() = *id;
        node.mapped()->id = *id;
        peers_.insert(std::move(node));
      }
    }
  }
  send_welcome(p, now);
  if (renamed) routing_join(p);
}

}  // namespace circlecdn::signal
