// `hello`: the upload settings a visitor chose, and taking back an earlier id (resume).
#include <algorithm>

#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

void tracker::on_hello(peer_state& p, hello_msg& m, clock::time_point now) {
  if (m.upload && !*m.upload) p.max_uploads = 0;
  if (m.max_uploads) p.max_uploads = std::min(*m.max_uploads, lim_.uploads_per_holder);
  note_holder(p.id);
  if (m.resume) {
    auto id = tokens_.check_resume(*m.resume, token_signer::clock::now());
    if (!id) {
      send_error(p, error_code::bad_token, "resume token forged or expired; keeping your id",
                 "hello");
    } else if (*id != p.id) {
      bool fresh = ledger_.holdings_of(p.id) == 0 && ledger_.wants_of(p.id) == 0 &&
                   ledger_.uploads_of(p.id) == 0 && p.paired.empty() && p.wants_pending.empty();
      if (!fresh) {
        send_error(p, error_code::bad_message, "resume: must come before any other message",
                   "hello");
        return;
      }
      if (!peers_.contains(*id)) {  // the old connection is gone: take its id back
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
}

}  // namespace circlecdn::signal
