// `signal`: SDP and ICE relayed only between peers the tracker paired, bounded per pairing. The
// `data` bytes go out as the sender wrote them (validated by the parser, never re-serialised).
#include <algorithm>

#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

void tracker::on_signal(peer_state& p, const signal_msg& m) {
  auto link = std::find_if(p.paired.begin(), p.paired.end(), [&](auto& x) { return x.id == m.to; });
  if (link == p.paired.end())
    return send_error(p, error_code::not_paired, "you are not paired with that peer", "signal");
  // A pairing needs an offer, an answer and some candidates (and a few more for ICE restarts);
  // more is a peer flooding its partner through us. The excess is dropped with an error to the
  // sender; the receiver is not disconnected for what someone else sent.
  if (link->signals >= lim_.signals_per_pairing)
    return send_error(
        p, error_code::too_many_signals,
        "over " + std::to_string(lim_.signals_per_pairing) + " signals to this peer: dropped",
        "signal");
  ++link->signals;
  if (link->process != peer_id{}) {  // paired across processes: to its process's channel
    if (!send_order(link->process,
                    order_of(order_kind::signal, p.id, m.to, 0, {}, false, {}, {}, m.data)))
      return send_error(p, error_code::peer_gone, "that peer cannot be reached now", "signal");
    ++counters_.signals_relayed;
    ++counters_.signals_relayed_remote;
    return;
  }
  auto* to = online(m.to);
  if (!to || to->closing)
    return send_error(p, error_code::peer_gone, "that peer has disconnected", "signal");
  ++counters_.signals_relayed;
  // A signal from p is p answering (or calling) the receiver: if the receiver wants from p, bytes
  // from p are now possible, so its reports about p can count.
  if (to->pairings) to->pairings->answered_by(p.id);
  to->link->deliver(make_signal(p.id, m.data));
}

}  // namespace circlecdn::signal
