#include "signal/tracker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "signal/detail/peer_state.hpp"
#include "signal/ice_servers.hpp"

namespace circlecdn::signal {

tracker::tracker(const limits& lim, const ice_config& ice, swarm::ledger& ledger,
                 swarm::served_record& served, const token_signer& tokens, known_hash_fn known_hash,
                 wall_fn wall, proof_fn proof)
    : lim_(lim),
      ice_(ice),
      ledger_(ledger),
      served_(served),
      tokens_(tokens),
      known_hash_(std::move(known_hash)),
      wall_(std::move(wall)),
      proof_(std::move(proof)),
      penalties_(ledger.penalties()),
      challenges_(lim.challenges_per_s, lim.challenge_timeout) {}

tracker::~tracker() = default;

const peer_id& tracker::id_of(const peer_state* p) const {
  return p->id;
}

std::size_t tracker::holdings() const {
  return ledger_.entries();
}

peer_state* tracker::online(const peer_id& id) const {
  auto it = peers_.find(id);
  return it == peers_.end() ? nullptr : it->second.get();
}

peer_state* tracker::join(peer_link& link, std::optional<peer_id> visitor, clock::time_point now,
                          std::string address) {
  // Every connection gets a fresh public id, never derived from the visitor's cookie: the cookie
  // is a secret that leaves the server only in Set-Cookie (docs/security.md).
  peer_id id = draw_id();
  auto state = std::make_unique<peer_state>();
  state->id = id;
  state->visitor = visitor;
  state->link = &link;
  state->address = std::move(address);
  state->max_uploads = lim_.uploads_per_holder;
  state->tokens = lim_.message_burst;
  state->last_refill = now;
  state->usage.start(lim_, now);
  auto* p = state.get();
  if (!p->address.empty()) ++per_address_[p->address];
  peers_.emplace(id, std::move(state));
  peak_ = std::max(peak_, peers_.size());
  send_welcome(*p, now);
  routing_join(*p);
  return p;
}

void tracker::send_welcome(peer_state& p, clock::time_point now) {
  auto served = p.visitor ? served_.take(*p.visitor) : std::vector<content_hash>{};
  auto token = tokens_.resume_token(p.id, token_signer::clock::now() + lim_.resume_token_life);
  auto bootstrap =
      lim_.routing.strategy == routing::strategy::chord ? chord_bootstrap(p.id) : std::nullopt;
  p.link->deliver(make_welcome(p.id, token, served, lim_, issue_ice(p, now), ice_,
                               routing_member(lim_.routing, bootstrap)));
}

void tracker::leave(peer_state* p) {
  // The other side of each transfer in flight is told: a holder stops pushing, a wanter fetches
  // elsewhere.
  for (const auto& t : ledger_.close_transfers_of(p->id)) {
    bool wanted = t.wanter == p->id;
    const auto& other_id = wanted ? t.holder : t.wanter;
    const char* role = wanted ? "holder" : "wanter";  // the other side's, in this transfer
    if (t.remote()) {
      send_order(t.process, order_of(order_kind::cancel, p->id, other_id, t.id, t.hash, false, role,
                                     "peer_gone"));
      release_remote(other_id);
    } else if (auto* other = online(other_id)) {
      other->link->deliver(make_cancel(t.id, t.hash, p->id, role, "peer_gone"));
      if (wanted) note_holder(other_id);
    }
  }
  routing_leave(*p);          // the ring closes the gap; its routing pairings go
  ledger_.forget(p->id);      // its holdings, fetch claims and path records
  challenges_.forget(p->id);  // its holdings left with it: nothing left to prove
  if (auto it = per_address_.find(p->address); it != per_address_.end() && --it->second == 0)
    per_address_.erase(it);
  peers_.erase(p->id);
}

void tracker::send_error(peer_state& p, error_code code, std::string_view message,
                         std::string_view ref, std::span<const content_hash> hashes,
                         std::uint32_t id) {
  if (p.closing) return;
  ++counters_.errors_sent;
  ++counters_.errors_by_code[static_cast<std::size_t>(code)];
  p.link->deliver(make_error(code, message, ref, hashes, id));
  // Races an honest client cannot avoid (a late candidate for a peer that just left, a `done`
  // crossing a `cancel`) are answered but not held against it.
  if (code == error_code::peer_gone || code == error_code::unknown_want) return;
  // The error count leaks away, one error forgiven per 1/decay seconds, so only a burst of errors
  // disconnects.
  auto now = clock::now();
  auto forgive_every = std::chrono::duration<double>(1.0 / lim_.error_decay_per_s);
  if (p.errors == 0) p.errors_at = now;
  while (p.errors > 0 && now - p.errors_at >= forgive_every) {
    --p.errors;
    p.errors_at += std::chrono::duration_cast<clock::duration>(forgive_every);
  }
  if (p.errors == 0) p.errors_at = now;
  ++p.errors;
  if (p.errors >= lim_.errors_before_disconnect) {
    p.closing = true;
    ++counters_.disconnects_for_errors;
    spdlog::info("event=disconnect peer={} reason=too_many_errors last_error={}", p.id.str(),
                 to_string(code));
    p.link->close(1008, "too many errors");
  }
}

void tracker::on_binary(peer_state* p, clock::time_point) {
  send_error(*p, error_code::bad_frame, "binary frames are not part of the protocol", "");
}

void tracker::on_text(peer_state* p, std::string_view text, clock::time_point now) {
  if (p->closing) return;
  // Token bucket: refill by elapsed time, one token per message.
  double elapsed = std::chrono::duration<double>(now - p->last_refill).count();
  p->tokens = std::min(lim_.message_burst, p->tokens + elapsed * lim_.messages_per_s);
  p->last_refill = now;
  if (p->tokens < 1) {
    ++counters_.messages_refused;
    send_error(*p, error_code::rate_limited, "too many messages; slow down", "");
    return;
  }
  p->tokens -= 1;
  auto parsed = parse_inbound(text, lim_);
  if (auto* err = std::get_if<parse_error>(&parsed)) {
    ++counters_.messages_refused;
    send_error(*p, err->code, err->message, err->ref);
    return;
  }
  auto& msg = std::get<inbound>(parsed);
  ++counters_.messages_by_type[msg.index()];
  dispatch(*p, msg, now);
}

void tracker::dispatch(peer_state& p, inbound& msg, clock::time_point now) {
  std::visit(
      [&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, hello_msg>)
          on_hello(p, m, now);
        else if constexpr (std::is_same_v<T, announce_msg>)
          on_announce(p, m, now);
        else if constexpr (std::is_same_v<T, drop_msg>)
          on_drop(p, m);
        else if constexpr (std::is_same_v<T, want_msg>)
          on_want(p, m, now);
        else if constexpr (std::is_same_v<T, done_msg>)
          on_done(p, m, now);
        else if constexpr (std::is_same_v<T, signal_msg>)
          on_signal(p, m);
        else if constexpr (std::is_same_v<T, report_msg>)
          on_report(p, m, now);
        else if constexpr (std::is_same_v<T, usage_msg>)
          on_usage(p, m, now);
        else if constexpr (std::is_same_v<T, proof_msg>)
          on_proof(p, m, now);
        else if constexpr (std::is_same_v<T, connect_msg>)
          on_connect(p, m, now);
        else if constexpr (std::is_same_v<T, unlink_msg>)
          on_unlink(p, m);
        else if constexpr (std::is_same_v<T, miss_token_msg>)
          on_miss_token(p, m, now);
      },
      msg);
}

std::size_t tracker::penalised_now(clock::time_point now) const {
  return penalties_.penalised_count(now);
}

void tracker::expire(clock::time_point now) {
  renew_ice(now);
  expire_challenges(now);
  for (const auto& t : ledger_.take_expired(now)) {
    ++counters_.wants_expired;
    auto* wanter = online(t.wanter);
    auto* holder = online(t.holder);
    if (t.remote()) {  // each process expires its own half (both started the same timeout)
      if (wanter) {
        wanter->link->deliver(make_cancel(t.id, t.hash, t.holder, "wanter", "expired"));
        wanter_outcome(t.wanter, t.holder, false, now, done_reason::none);
      } else if (holder) {
        holder->link->deliver(make_cancel(t.id, t.hash, t.wanter, "holder", "expired"));
        holder_outcome(*holder, t.wanter, t.hash, false, now);
      }
      release_remote(wanter ? t.holder : t.wanter);
      continue;
    }
    if (!wanter || !holder) continue;  // (leave() ends a peer's transfers: not in one process)
    // A want that nobody finished counts against its holder like a failed path: a fake holder
    // that never serves is excluded for this wanter and, failing with several, skipped.
    wanter->link->deliver(make_cancel(t.id, t.hash, t.holder, "wanter", "expired"));
    holder->link->deliver(make_cancel(t.id, t.hash, t.wanter, "holder", "expired"));
    record_outcome(*wanter, *holder, t.hash, false, now);  // (after the cancel: it may challenge)
  }
}

void tracker::release_remote(const peer_id& id) {
  if (!online(id) && ledger_.wants_of(id) == 0 && ledger_.uploads_of(id) == 0) ledger_.forget(id);
}

std::optional<swarm::holder_inputs> tracker::holder_inputs_of(const peer_id& id,
                                                              clock::time_point now) const {
  auto* p = online(id);
  if (!p || p->closing || ledger_.holdings_of(id) == 0) return std::nullopt;
  auto standing = penalties_.standing_of(id, now);
  return swarm::holder_inputs{
      ledger_.uploads_of(id),      p->max_uploads,   p->uploads_completed,
      standing.penalised,          standing.accused, penalties_.suspect(p->address, now),
      ledger_.unreachable(id, now)};
}

void tracker::announce_shutdown() {
  for (auto& [id, state] : peers_)
    state->link->deliver(make_error(error_code::shutting_down, "server is stopping", ""));
}

void tracker::broadcast(const frame& f) {
  for (auto& [id, state] : peers_) state->link->deliver(f);
}

}  // namespace circlecdn::signal
