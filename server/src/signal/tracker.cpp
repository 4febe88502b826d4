#include "signal/tracker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "signal/detail/peer_state.hpp"
#include "signal/ice_servers.hpp"
#include "signal/path_outcomes.hpp"
#include "signal/usage_allowance.hpp"
#include "swarm/holder_policy.hpp"

namespace circlecdn::signal {

tracker::tracker(const limits& lim, const ice_config& ice, swarm::directory& dir,
                 swarm::served_record& served, const token_signer& tokens, known_hash_fn known_hash,
                 wall_fn wall, proof_fn proof)
    : lim_(lim),
      ice_(ice),
      dir_(dir),
      served_(served),
      tokens_(tokens),
      known_hash_(std::move(known_hash)),
      wall_(std::move(wall)),
      proof_(std::move(proof)),
      penalties_(lim.penalty_base),
      challenges_(lim.challenges_per_s, lim.challenge_timeout) {}

tracker::~tracker() = default;

const peer_id& tracker::id_of(const peer_state* p) const {
  return p->id;
}

std::size_t tracker::holdings() const {
  return dir_.entries();
}

peer_state* tracker::join(peer_link& link, std::optional<peer_id> visitor, clock::time_point now,
                          std::string address) {
  // Every connection gets a fresh public id, never derived from the visitor's cookie: the cookie
  // is a secret that leaves the server only in Set-Cookie (docs/security.md).
  peer_id id = peer_id::random();
  while (peers_.contains(id)) id = peer_id::random();
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
  return p;
}

void tracker::send_welcome(peer_state& p, clock::time_point now) {
  auto served = p.visitor ? served_.take(*p.visitor) : std::vector<content_hash>{};
  auto token = tokens_.resume_token(p.id, token_signer::clock::now() + lim_.resume_token_life);
  p.link->deliver(make_welcome(p.id, token, served, lim_, issue_ice(p, now), ice_));
}

void tracker::leave(peer_state* p) {
  for (auto& w : p->wants) {
    auto& ups = w.holder->uploads;
    std::erase_if(ups, [&](const upload_slot& u) { return u.wanter == p && u.id == w.id; });
    w.holder->link->deliver(make_cancel(w.id, w.hash, p->id, "holder", "peer_gone"));
  }
  wants_in_flight_ -= p->wants.size();
  for (auto& u : p->uploads) {
    auto& ws = u.wanter->wants;
    auto it = std::find_if(ws.begin(), ws.end(), [&](const want_slot& w) { return w.id == u.id; });
    if (it == ws.end()) continue;
    u.wanter->link->deliver(make_cancel(it->id, it->hash, p->id, "wanter", "peer_gone"));
    ws.erase(it);
    --wants_in_flight_;
  }
  for (auto& h : p->holdings) dir_.remove(h, p->id);
  challenges_.forget(p->id);   // its holdings left with it: nothing left to prove
  for (auto& h : p->fetching)  // nobody should wait for a fetch that will never be announced
    if (auto it = incoming_.find(h); it != incoming_.end() && it->second.fetcher == p->id)
      incoming_.erase(it);
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
      },
      msg);
}

void tracker::on_hello(peer_state& p, hello_msg& m, clock::time_point now) {
  if (m.upload && !*m.upload) p.max_uploads = 0;
  if (m.max_uploads) p.max_uploads = std::min(*m.max_uploads, lim_.uploads_per_holder);
  if (m.resume) {
    auto id = tokens_.check_resume(*m.resume, token_signer::clock::now());
    if (!id) {
      send_error(p, error_code::bad_token, "resume token forged or expired; keeping your id",
                 "hello");
    } else if (*id != p.id) {
      bool fresh = p.holdings.empty() && p.wants.empty() && p.uploads.empty() && p.paired.empty();
      if (!fresh) {
        send_error(p, error_code::bad_message, "resume: must come before any other message",
                   "hello");
        return;
      }
      if (!peers_.contains(*id)) {  // the old connection is gone: take its id back
        auto node = peers_.extract(p.id);
        challenges_.renamed(p.id, *id);
        node.key() = *id;
        node.mapped()->id = *id;
        peers_.insert(std::move(node));
      }
    }
  }
  send_welcome(p, now);
}

void tracker::on_announce(peer_state& p, const announce_msg& m, clock::time_point now) {
  std::vector<content_hash> unknown, over, added;
  for (auto& h : m.have) {
    if (!known_hash_(h)) {
      unknown.push_back(h);
    } else if (!p.holdings.contains(h)) {
      // Each peer's share, and everyone's together: 200 peers x 8,192 holdings took 229 MiB.
      if (p.holdings.size() >= lim_.holdings_per_peer || dir_.entries() >= lim_.holdings_total) {
        over.push_back(h);
        continue;
      }
      p.holdings.insert(h);
      dir_.add(h, p.id);
      incoming_.erase(h);  // it has a holder now
      added.push_back(h);
    }
  }
  sample_challenge(p, added, now);
  if (!unknown.empty())
    send_error(p, error_code::unknown_hash, "not in the current manifest; not recorded", "announce",
               unknown);
  if (!over.empty())
    send_error(p, error_code::too_many_holdings,
               p.holdings.size() >= lim_.holdings_per_peer
                   ? "over " + std::to_string(lim_.holdings_per_peer) + " hashes; not recorded"
                   : "the server holds its maximum of holdings; not recorded",
               "announce", over);
}

void tracker::remove_holding(peer_state& p, const content_hash& h) {
  if (p.holdings.erase(h)) dir_.remove(h, p.id);
}

void tracker::on_drop(peer_state& p, const drop_msg& m) {
  for (auto& h : m.hashes) remove_holding(p, h);
}

bool tracker::is_paired(const peer_state& a, const peer_id& b) const {
  return std::any_of(a.paired.begin(), a.paired.end(), [&](auto& x) { return x.id == b; });
}

void tracker::pair(peer_state& a, peer_state& b) {
  for (auto [x, y] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
    if (is_paired(*x, y->id)) continue;
    if (x->paired.size() >= lim_.pairs_per_peer) x->paired.erase(x->paired.begin());
    x->paired.push_back({y->id});
  }
}

bool tracker::is_penalised(const peer_id& id, clock::time_point now) const {
  return penalties_.penalised(id, now);
}

// A holder this wanter failed to reach, or one that looks unreachable to everyone, is treated as
// if it did not hold the hash.
bool tracker::skipped_holder(const peer_state& wanter, const peer_state& holder,
                             clock::time_point now) const {
  return wanter.excluded.contains(holder.id, now) ||
         (holder.outcomes && holder.outcomes->unreachable(now));
}

void tracker::on_want(peer_state& p, const want_msg& m, clock::time_point now) {
  ++counters_.wants;
  if (std::any_of(p.wants.begin(), p.wants.end(), [&](auto& w) { return w.id == m.id; }))
    return send_error(p, error_code::duplicate_id, "a want with this id is in flight", "want", {},
                      m.id);
  if (p.wants.size() >= lim_.wants_in_flight)
    return send_error(p, error_code::too_many_wants,
                      "over " + std::to_string(lim_.wants_in_flight) + " wants in flight", "want",
                      {}, m.id);
  // The time from the frame's arrival to this want's answer.
  struct decision_timer {
    metrics::histogram& h;
    clock::time_point from;
    ~decision_timer() {
      h.observe(std::max(0.0, std::chrono::duration<double>(clock::now() - from).count()));
    }
  } timer{counters_.want_seconds, now};
  auto miss = [&](std::string_view reason) {
    count_miss(reason);
    if (spdlog::should_log(spdlog::level::debug))
      spdlog::debug("event=miss peer={} hash={} reason={}", p.id.str(), m.hash.hex(), reason);
    auto token =
        tokens_.miss_token(p.id, m.hash, token_signer::clock::now() + lim_.miss_token_life);
    p.link->deliver(make_miss(m.id, m.hash, token, reason));
  };
  if (!known_hash_(m.hash)) return miss("unknown_hash");

  dir_.sample(m.hash, lim_.holder_sample, sample_);
  auto& candidates = candidates_;  // scratch reused across wants: no allocation per want
  auto& states = candidate_states_;
  candidates.clear();
  states.clear();
  // Out of new-holder budget: only holders this wanter already knows (browsing inference).
  bool may_discover = p.discovery.available(lim_.new_holders_per_min, now);
  bool held_by_strangers = false;
  for (auto& id : sample_) {
    auto it = peers_.find(id);
    if (it == peers_.end()) continue;  // a shared directory may know peers of other processes
    auto& h = *it->second;
    if (h.closing || skipped_holder(p, h, now)) continue;
    if (!may_discover && !is_paired(p, h.id)) {
      held_by_strangers = true;
      continue;
    }
    auto standing = penalties_.standing_of(h.id, now);
    candidates.push_back({h.id, static_cast<std::uint32_t>(h.uploads.size()), h.max_uploads,
                          standing.penalised, is_paired(p, h.id), h.uploads_completed,
                          penalties_.suspect(h.address, now), standing.accused});
    states.push_back(&h);
  }
  auto pick = swarm::choose_holder(candidates, p.id, tie_seed_++);
  if (!pick.index) {
    if (held_by_strangers) return miss("holder_rate");
    if (pick.miss_reason != "no_holder") return miss(pick.miss_reason);
    // Nobody holds it. If another online peer is fetching it from the origin, wait for that peer
    // rather than fetch the same bytes again; otherwise this wanter becomes the one fetching.
    if (auto it = incoming_.find(m.hash); it != incoming_.end() && it->second.until > now &&
                                          it->second.fetcher != p.id &&
                                          peers_.contains(it->second.fetcher))
      return miss("fetching");
    if (may_claim_fetch(p, m.hash, now)) {
      if (incoming_.size() >= lim_.incoming_max && !incoming_.contains(m.hash)) {
        std::erase_if(incoming_, [&](auto& kv) { return kv.second.until <= now; });
        if (incoming_.size() >= lim_.incoming_max) incoming_.erase(incoming_.begin());
      }
      incoming_[m.hash] = {p.id, now + lim_.fetch_grace};
      if (p.fetching.size() >= lim_.wants_in_flight * 4) p.fetching.erase(p.fetching.begin());
      p.fetching.push_back(m.hash);
    }
    return miss("no_holder");
  }

  auto& holder = *states[*pick.index];
  bool connect = !candidates[*pick.index].paired_with_wanter;
  if (connect) p.discovery.take();
  pair(p, holder);
  if (!p.pairings) p.pairings = std::make_unique<pairing_log>();
  p.pairings->matched(holder.id, m.hash);
  p.wants.push_back({m.id, m.hash, &holder, now + lim_.want_timeout});
  holder.uploads.push_back({&p, m.id});
  ++wants_in_flight_;
  ++counters_.matches;
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("event=pairing wanter={} holder={} hash={} connect={}", p.id.str(),
                  holder.id.str(), m.hash.hex(), connect);
  p.link->deliver(make_match(m.id, m.hash, holder.id, connect));
  holder.link->deliver(make_push(m.id, m.hash, p.id, connect));
}

void tracker::record_outcome(peer_state& wanter, peer_state& holder, const content_hash& h, bool ok,
                             clock::time_point now, done_reason why) {
  if (!holder.outcomes) holder.outcomes = std::make_unique<holder_outcomes>();
  if (holder.outcomes->record(ok, wanter.id, now)) {
    ++counters_.holders_unreachable;
    spdlog::info("event=holder_unreachable holder={} (its pairings mostly failed)",
                 holder.id.str());
  }
  if (ok) return;
  // A timeout came after the channel opened: the holder is slow, not unreachable.
  wanter.excluded.add(holder.id, now,
                      why == done_reason::timeout ? path_rules::timeout_exclusion_life
                                                  : path_rules::exclusion_life);
  // Does it hold what it was matched for? A squatter fails at once; an honest holder behind a
  // hostile NAT passes and only loses this wanter (tracker_checks.cpp).
  challenge(holder, h, challenges::reason::failed_path, now);
}

// A peer told `no_holder` becomes the hash's fetcher, so later wanters wait for it (`fetching`)
// instead of all going to the origin. That claim is worth squatting on (one connection wanting
// every hash made honest visitors wait 12 s per item), so it is bounded: a peer holds at most
// fetch_claims_per_peer live claims, a claim is never extended, and a hash it claimed once (and
// did not announce in time) it cannot claim again while it remembers it. A peer that does not
// upload never claims.
bool tracker::may_claim_fetch(const peer_state& p, const content_hash& h,
                              clock::time_point now) const {
  // A peer that uploads nothing (opted out, GPC, a hidden tab, its budget spent) will not serve
  // what it fetches: nobody should wait for it.
  if (p.max_uploads == 0) return false;
  if (std::find(p.fetching.begin(), p.fetching.end(), h) != p.fetching.end()) return false;
  std::size_t live = 0;
  for (const auto& claimed : p.fetching)
    if (auto it = incoming_.find(claimed);
        it != incoming_.end() && it->second.fetcher == p.id && it->second.until > now)
      ++live;
  return live < lim_.fetch_claims_per_peer;
}

void tracker::release_want(peer_state& wanter, std::size_t i) {
  auto& w = wanter.wants[i];
  std::erase_if(w.holder->uploads,
                [&](const upload_slot& u) { return u.wanter == &wanter && u.id == w.id; });
  wanter.wants.erase(wanter.wants.begin() + static_cast<std::ptrdiff_t>(i));
  --wants_in_flight_;
}

void tracker::on_done(peer_state& p, const done_msg& m, clock::time_point now) {
  auto it = std::find_if(p.wants.begin(), p.wants.end(), [&](auto& w) { return w.id == m.id; });
  if (it == p.wants.end())
    return send_error(p, error_code::unknown_want, "no want with this id is in flight", "done", {},
                      m.id);
  auto& holder = *it->holder;
  // A want the wanter gave up because the origin won its race is no outcome of this path: the
  // holder is neither credited nor blamed, only its slot is freed.
  if (m.reason != done_reason::superseded) record_outcome(p, holder, it->hash, m.ok, now, m.reason);
  if (m.ok) {
    ++holder.uploads_completed;
    auto matched_at = it->deadline - lim_.want_timeout;
    counters_.pairing_seconds.observe(
        std::max(0.0, std::chrono::duration<double>(now - matched_at).count()));
    auto bytes = std::min(m.bytes, lim_.item_bytes_max);
    counters_.peer_bytes_done += bytes;
    if (auto b = counters_.peer_bytes_by_hash.find(it->hash);
        b != counters_.peer_bytes_by_hash.end())
      b->second += bytes;
    else if (counters_.peer_bytes_by_hash.size() < lim_.resources_remembered)
      counters_.peer_bytes_by_hash.emplace(it->hash, bytes);
    else
      counters_.peer_bytes_other += bytes;
  }
  if (!m.ok && m.reason != done_reason::superseded) {
    if (spdlog::should_log(spdlog::level::debug))
      spdlog::debug("event=path_failed wanter={} holder={} hash={}", p.id.str(), holder.id.str(),
                    it->hash.hex());
    if (m.reason == done_reason::connect_failed)
      ++counters_.paths_failed_connect;
    else if (m.reason == done_reason::timeout)
      ++counters_.paths_failed_timeout;
    else
      ++counters_.paths_failed_closed;
  }
  // The wanter gave up: the holder stops pushing what nobody reads (a race the origin won left
  // holders pushing whole pieces through TURN in the WAN lab).
  if (!m.ok) holder.link->deliver(make_cancel(m.id, it->hash, p.id, "holder", "abandoned"));
  release_want(p, static_cast<std::size_t>(it - p.wants.begin()));
}

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
  auto it = peers_.find(m.to);
  if (it == peers_.end() || it->second->closing)
    return send_error(p, error_code::peer_gone, "that peer has disconnected", "signal");
  ++counters_.signals_relayed;
  // A signal from p is p answering (or calling) the receiver: if the receiver wants from p, bytes
  // from p are now possible, so its reports about p can count.
  if (auto& to = *it->second; to.pairings) to.pairings->answered_by(p.id);
  it->second->link->deliver(make_signal(p.id, m.data));
}

void tracker::count_miss(std::string_view reason) {
  ++counters_.misses;
  for (std::size_t i = 0; i < miss_reason_names.size(); ++i)
    if (miss_reason_names[i] == reason) ++counters_.misses_by_reason[i];
}

void tracker::on_usage(peer_state& p, const usage_msg& m, clock::time_point now) {
  auto taken = p.usage.take(lim_, m.bytes, now);
  if (!taken) {
    ++counters_.usage_refused;
    return send_error(p, error_code::rate_limited,
                      "usage: at most one report every " +
                          std::to_string(lim_.usage_interval_min.count()) + " ms",
                      "usage");
  }
  ++counters_.usage_reports;
  for (std::size_t i = 0; i < usage_source_count; ++i) {
    counters_.reported_bytes[i] += (*taken)[i];
    counters_.usage_clamped_bytes += m.bytes[i] - (*taken)[i];
    for (double ms : m.ms[i]) counters_.reported_item_seconds[i].observe(ms / 1000.0);
  }
  counters_.reported_verify_failures += m.verify_failures;
}

std::size_t tracker::penalised_now(clock::time_point now) const {
  return penalties_.penalised_count(now);
}

void tracker::expire(clock::time_point now) {
  renew_ice(now);
  expire_challenges(now);
  if (wants_in_flight_ == 0) return;
  for (auto& [id, state] : peers_) {
    auto& p = *state;
    for (std::size_t i = 0; i < p.wants.size();) {
      if (p.wants[i].deadline > now) {
        ++i;
        continue;
      }
      auto& w = p.wants[i];
      ++counters_.wants_expired;
      // A want that nobody finished counts against its holder like a failed path: a fake holder
      // that never serves is excluded for this wanter and, failing with several, skipped.
      p.link->deliver(make_cancel(w.id, w.hash, w.holder->id, "wanter", "expired"));
      w.holder->link->deliver(make_cancel(w.id, w.hash, p.id, "holder", "expired"));
      record_outcome(p, *w.holder, w.hash, false, now);  // (after the cancel: it may challenge)
      release_want(p, i);
    }
  }
}

void tracker::announce_shutdown() {
  for (auto& [id, state] : peers_)
    state->link->deliver(make_error(error_code::shutting_down, "server is stopping", ""));
}

void tracker::broadcast(const frame& f) {
  for (auto& [id, state] : peers_) state->link->deliver(f);
}

}  // namespace circlecdn::signal
