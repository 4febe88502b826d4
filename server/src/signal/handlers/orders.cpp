// Orders from the other processes of a cluster (signal/cluster_orders.hpp): each one applies the
// half of a pairing across processes that belongs to a peer connected here. An order that names
// no pairing this process knows changes nothing (a late order for a transfer that ended, or a
// peer that left, is the normal race); only malformed ones are counted as refused.
#include <spdlog/spdlog.h>

#include <charconv>

#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

bool tracker::send_order(const peer_id& process, const order& o) {
  if (!remote_) return false;
  auto with_sender = o;
  with_sender.process = remote_->self();
  return remote_->send(process, encode_order(with_sender));
}

void tracker::on_order(std::string_view text, clock::time_point now) {
  auto o = parse_order(text);
  if (!o || !remote_) {
    ++counters_.orders_refused;
    spdlog::warn("event=cluster_order_refused (malformed) length={}", text.size());
    return;
  }
  ++counters_.orders_received;
  switch (o->kind) {
    case order_kind::push:
      return order_push(*o, now);
    case order_kind::refuse:
      return order_refuse(*o);
    case order_kind::cancel:
      return order_cancel(*o);
    case order_kind::done:
      return order_done(*o, now);
    case order_kind::signal:
      return order_signal(*o);
    case order_kind::gone:
      return order_gone(*o);
  }
}

// from: the wanter (on o.process), to: a holder here. The holder's process has the last word on
// its slots: a choice made from inputs a moment old may find them full.
void tracker::order_push(const order& o, clock::time_point now) {
  auto* holder = online(o.to);
  auto refuse = [&](std::string_view why) {
    ++counters_.remote_refusals;
    send_order(o.process, order_of(order_kind::refuse, o.to, o.from, o.id, o.hash, false, why));
  };
  if (!holder || holder->closing) return refuse("peer_gone");
  if (ledger_.find_transfer(o.from, o.id)) return;  // (a repeated order)
  if (!ledger_.holds(holder->id, o.hash) || ledger_.uploads_of(holder->id) >= holder->max_uploads ||
      penalties_.penalised(holder->id, now))
    return refuse("busy");
  ledger_.open_transfer({o.from, o.id, o.hash, holder->id, now + lim_.want_timeout, o.process});
  add_pairing(*holder, o.from, pairing_kind::transfer, o.process);
  note_holder(holder->id);
  holder->link->deliver(make_push(o.id, o.hash, o.from, o.flag));
}

// from: the holder (on o.process), to: the wanter here, whose want ends with a `cancel`.
void tracker::order_refuse(const order& o) {
  auto* t = ledger_.find_transfer(o.to, o.id);
  if (!t || t->holder != o.from || t->process != o.process) return;
  auto hash = t->hash;
  ledger_.close_transfer(o.to, o.id);
  release_remote(o.from);
  if (auto* wanter = online(o.to))
    wanter->link->deliver(make_cancel(o.id, hash, o.from, "wanter", o.word));
}

// from: the side that left (on o.process); to: the side here; word: to's role, word2: why.
void tracker::order_cancel(const order& o) {
  bool to_wants = o.word == "wanter";
  const auto& wanter = to_wants ? o.to : o.from;
  auto* t = ledger_.find_transfer(wanter, o.id);
  if (!t || t->process != o.process || (to_wants ? t->holder : t->wanter) != o.from) return;
  ledger_.close_transfer(wanter, o.id);
  release_remote(o.from);
  if (auto* here = online(o.to)) {
    here->link->deliver(make_cancel(o.id, o.hash, o.from, o.word, o.word2));
    if (!to_wants) note_holder(here->id);
  }
}

// from: the wanter (on o.process), to: the holder here. The holder's record takes the outcome.
void tracker::order_done(const order& o, clock::time_point now) {
  auto* t = ledger_.find_transfer(o.from, o.id);
  if (!t || t->holder != o.to || t->process != o.process) return;
  auto hash = t->hash;
  ledger_.close_transfer(o.from, o.id);
  release_remote(o.from);
  auto* holder = online(o.to);
  if (!holder) return;
  int reason = 0;
  std::from_chars(o.word.data(), o.word.data() + o.word.size(), reason);
  if (static_cast<done_reason>(reason) != done_reason::superseded)
    holder_outcome(*holder, o.from, hash, o.flag, now);
  else
    note_holder(holder->id);
  if (o.flag) {
    ++holder->uploads_completed;
  } else {
    holder->link->deliver(make_cancel(o.id, hash, o.from, "holder", "abandoned"));
  }
}

// A signal from a peer of o.process to one here. The sender's process checked the pairing; this
// one checks it again (its own record of the pairing, made by the order that paired them).
void tracker::order_signal(const order& o) {
  auto* to = online(o.to);
  if (!to || to->closing) {
    send_order(o.process, order_of(order_kind::gone, o.to, o.from));
    return;
  }
  if (!is_paired(*to, o.from)) {
    ++counters_.orders_refused;
    spdlog::warn("event=cluster_signal_refused from={} to={} (not paired here)", o.from.str(),
                 o.to.str());
    return;
  }
  if (to->pairings) to->pairings->answered_by(o.from);
  to->link->deliver(make_signal(o.from, o.data));
}

// from: the peer that left; to: the sender of the signal, here.
void tracker::order_gone(const order& o) {
  if (auto* sender = online(o.to))
    send_error(*sender, error_code::peer_gone, "that peer has disconnected", "signal");
}

}  // namespace circlecdn::signal
