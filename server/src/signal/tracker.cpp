#include "signal/tracker.hpp"

#include <algorithm>

#include "signal/ice_servers.hpp"
#include "signal/path_outcomes.hpp"
#include "swarm/holder_policy.hpp"

namespace circlecdn::signal {

namespace {
constexpr std::size_t max_penalties = 10'000;  // penalties outlive connections, but boundedly
constexpr std::uint32_t max_penalty_doublings = 6;
// Credentials are renewed when this share of their life has passed: the page has the remaining
// fifth (12 min at the default hour) to receive them, even across a reconnect.
constexpr double renew_at_share = 0.8;
constexpr std::chrono::seconds min_renew_after{1};
}  // namespace

struct want_slot {
  std::uint32_t id;
  content_hash hash;
  peer_state* holder;
  tracker::clock::time_point deadline;
};

struct upload_slot {
  peer_state* wanter;
  std::uint32_t id;
};

// Everything the tracker knows about one online peer. Vectors stay empty (no heap) for an idle
// peer that announced nothing.
struct peer_state {
  peer_id id;  // public: what other peers and the page see
  std::optional<peer_id>
      visitor;  // the secret cookie this socket came with: the served record's key
  peer_link* link = nullptr;
  std::unordered_set<content_hash> holdings;
  std::vector<want_slot> wants;
  std::vector<upload_slot> uploads;
  std::vector<peer_id> paired;         // oldest first; ids, so a partner that left reads as gone
  std::vector<content_hash> fetching;  // hashes others wait for this peer to fetch (see incoming_)
  std::uint32_t max_uploads = 0;
  std::uint32_t errors = 0;  // leaky: see send_error
  tracker::clock::time_point errors_at{};
  double tokens = 0;
  tracker::clock::time_point last_refill;
  std::uint32_t uploads_completed = 0;  // its uploads that ended in done ok:true: its reputation
  std::uint64_t ice_serial = 0;         // the current TURN credentials (see ice_renewals)
  path_exclusions excluded;             // holders this peer, as a wanter, failed to reach
  std::unique_ptr<holder_outcomes> outcomes;  // as a holder: from its first pairing outcome on
  bool closing = false;
};

tracker::tracker(const limits& lim, const ice_config& ice, swarm::directory& dir,
                 swarm::served_record& served, const token_signer& tokens, known_hash_fn known_hash,
                 wall_fn wall)
    : lim_(lim),
      ice_(ice),
      dir_(dir),
      served_(served),
      tokens_(tokens),
      known_hash_(std::move(known_hash)),
      wall_(std::move(wall)) {}

tracker::~tracker() = default;

const peer_id& tracker::id_of(const peer_state* p) const {
  return p->id;
}

std::size_t tracker::holdings() const {
  return dir_.entries();
}

peer_state* tracker::join(peer_link& link, std::optional<peer_id> visitor, clock::time_point now) {
  // Every connection gets a fresh public id, never derived from the visitor's cookie: the cookie
  // is a secret that leaves the server only in Set-Cookie (docs/security.md).
  peer_id id = peer_id::random();
  while (peers_.contains(id)) id = peer_id::random();
  auto state = std::make_unique<peer_state>();
  state->id = id;
  state->visitor = visitor;
  state->link = &link;
  state->max_uploads = lim_.uploads_per_holder;
  state->tokens = lim_.message_burst;
  state->last_refill = now;
  auto* p = state.get();
  peers_.emplace(id, std::move(state));
  send_welcome(*p, now);
  return p;
}

void tracker::send_welcome(peer_state& p, clock::time_point now) {
  auto served = p.visitor ? served_.take(*p.visitor) : std::vector<content_hash>{};
  auto token = tokens_.resume_token(p.id, token_signer::clock::now() + lim_.resume_token_life);
  p.link->deliver(make_welcome(p.id, token, served, lim_, issue_ice(p, now), ice_));
}

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
  for (auto& h : p->fetching)  // nobody should wait for a fetch that will never be announced
    if (auto it = incoming_.find(h); it != incoming_.end() && it->second.fetcher == p->id)
      incoming_.erase(it);
  peers_.erase(p->id);
}

void tracker::send_error(peer_state& p, error_code code, std::string_view message,
                         std::string_view ref, std::span<const content_hash> hashes,
                         std::uint32_t id) {
  if (p.closing) return;
  ++counters_.errors_sent;
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
    send_error(*p, error_code::rate_limited, "too many messages; slow down", "");
    return;
  }
  p->tokens -= 1;
  auto parsed = parse_inbound(text, lim_);
  if (auto* err = std::get_if<parse_error>(&parsed)) {
    send_error(*p, err->code, err->message, err->ref);
    return;
  }
  dispatch(*p, std::get<inbound>(parsed), now);
}

void tracker::dispatch(peer_state& p, inbound& msg, clock::time_point now) {
  std::visit(
      [&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, hello_msg>)
          on_hello(p, m, now);
        else if constexpr (std::is_same_v<T, announce_msg>)
          on_announce(p, m);
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
        node.key() = *id;
        node.mapped()->id = *id;
        peers_.insert(std::move(node));
      }
    }
  }
  send_welcome(p, now);
}

void tracker::on_announce(peer_state& p, const announce_msg& m) {
  std::vector<content_hash> unknown, over;
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
    }
  }
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
  return std::find(a.paired.begin(), a.paired.end(), b) != a.paired.end();
}

void tracker::pair(peer_state& a, peer_state& b) {
  for (auto [x, y] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
    if (is_paired(*x, y->id)) continue;
    if (x->paired.size() >= lim_.pairs_per_peer) x->paired.erase(x->paired.begin());
    x->paired.push_back(y->id);
  }
}

bool tracker::is_penalised(const peer_id& id, clock::time_point now) const {
  auto it = penalties_.find(id);
  return it != penalties_.end() && it->second.until > now;
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
  auto miss = [&](std::string_view reason) {
    ++counters_.misses;
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
  for (auto& id : sample_) {
    auto it = peers_.find(id);
    if (it == peers_.end()) continue;  // a shared directory may know peers of other processes
    auto& h = *it->second;
    if (h.closing || skipped_holder(p, h, now)) continue;
    candidates.push_back({h.id, static_cast<std::uint32_t>(h.uploads.size()), h.max_uploads,
                          is_penalised(h.id, now), is_paired(p, h.id), h.uploads_completed});
    states.push_back(&h);
  }
  auto pick = swarm::choose_holder(candidates, p.id, tie_seed_++);
  if (!pick.index) {
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
  pair(p, holder);
  p.wants.push_back({m.id, m.hash, &holder, now + lim_.want_timeout});
  holder.uploads.push_back({&p, m.id});
  ++wants_in_flight_;
  ++counters_.matches;
  p.link->deliver(make_match(m.id, m.hash, holder.id, connect));
  holder.link->deliver(make_push(m.id, m.hash, p.id, connect));
}

void tracker::record_outcome(peer_state& wanter, peer_state& holder, bool ok, clock::time_point now,
                             done_reason why) {
  if (!holder.outcomes) holder.outcomes = std::make_unique<holder_outcomes>();
  if (holder.outcomes->record(ok, wanter.id, now)) ++counters_.holders_unreachable;
  if (!ok)
    wanter.excluded.add(holder.id, now,
                        why == done_reason::timeout ? path_rules::timeout_exclusion_life
                                                    : path_rules::exclusion_life);
}

// A peer told `no_holder` becomes the hash's fetcher, so later wanters wait for it (`fetching`)
// instead of all going to the origin. That claim is worth squatting on (one connection wanting
// every hash made honest visitors wait 12 s per item), so it is bounded: a peer holds at most
// fetch_claims_per_peer live claims, a claim is never extended, and a hash it claimed once (and
// did not announce in time) it cannot claim again while it remembers it.
bool tracker::may_claim_fetch(const peer_state& p, const content_hash& h,
                              clock::time_point now) const {
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
  if (m.reason != done_reason::superseded) record_outcome(p, holder, m.ok, now, m.reason);
  if (m.ok) ++holder.uploads_completed;
  if (!m.ok && m.reason != done_reason::superseded) {
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
  if (!is_paired(p, m.to))
    return send_error(p, error_code::not_paired, "you are not paired with that peer", "signal");
  auto it = peers_.find(m.to);
  if (it == peers_.end() || it->second->closing)
    return send_error(p, error_code::peer_gone, "that peer has disconnected", "signal");
  ++counters_.signals_relayed;
  it->second->link->deliver(make_signal(p.id, m.data));
}

void tracker::on_report(peer_state& p, const report_msg& m, clock::time_point now) {
  if (!is_paired(p, m.peer))
    return send_error(p, error_code::not_paired, "you can only report a peer you were paired with",
                      "report");
  ++counters_.reports;
  if (penalties_.size() >= max_penalties && !penalties_.contains(m.peer)) {
    std::erase_if(penalties_, [&](auto& kv) { return kv.second.until <= now; });
    if (penalties_.size() >= max_penalties) penalties_.erase(penalties_.begin());
  }
  auto& pen = penalties_[m.peer];
  auto doublings = std::min(pen.count, max_penalty_doublings);
  pen.until = now + lim_.penalty_base * (1u << doublings);
  ++pen.count;
  if (auto it = peers_.find(m.peer); it != peers_.end()) remove_holding(*it->second, m.hash);
  p.link->deliver(make_penalised(m.peer));
}

void tracker::expire(clock::time_point now) {
  renew_ice(now);
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
      record_outcome(p, *w.holder, false, now);
      p.link->deliver(make_cancel(w.id, w.hash, w.holder->id, "wanter", "expired"));
      w.holder->link->deliver(make_cancel(w.id, w.hash, p.id, "holder", "expired"));
      release_want(p, i);
    }
  }
}

void tracker::announce_shutdown() {
  for (auto& [id, state] : peers_)
    state->link->deliver(make_error(error_code::shutting_down, "server is stopping", ""));
}

}  // namespace circlecdn::signal
