#include "strategy/tracker.hpp"

#include <algorithm>
#include <cstring>

#include "signal/limits.hpp"

namespace circlecdn::sim {

namespace {
// Server messages per exchange (docs/protocol.md): hello + welcome; want + match + push + done
// on a hit; want + miss on a miss (also for each `fetching` answer); one announce per stored
// resource.
constexpr double join_messages = 2;
constexpr double hit_messages = 4;
constexpr double miss_messages = 2;
constexpr double announce_messages = 1;

// The server's defaults, read from its own table (one source for the numbers).
const signal::limits server_limits{};
const double fetch_grace_s = std::chrono::duration<double>(server_limits.fetch_grace).count();
// The server remembers a peer's last wants_in_flight * 4 claimed hashes (tracker.cpp).
const std::size_t claims_remembered = server_limits.wants_in_flight * 4;

// Simulated peers are named by their session uid: distinct for every visitor of a run.
peer_id id_of(std::uint32_t uid) {
  peer_id id;
  std::memcpy(id.bytes.data(), &uid, sizeof uid);
  id.bytes[15] = 1;
  return id;
}
}  // namespace

tracker::tracker(strategy_context ctx)
    : ctx_(std::move(ctx)),
      directory_(ctx_.site.count(), 0.0),
      sample_(static_cast<std::uint32_t>(ctx_.cfg.tracker_sample)),
      retry_s_(ctx_.cfg.fetching_retry_ms * 1e-3),
      claims_(ctx_.site.count()) {}

void tracker::grow(std::size_t slots) {
  if (served_.size() < slots) served_.resize(slots, 0);
  if (claimed_.size() < slots) claimed_.resize(slots);
}

void tracker::on_join(peer_index p, double now) {
  served_[p] = 0;
  claimed_[p].clear();
  ctx_.stats.server(join_messages, now);
}

void tracker::on_leave(peer_index p, double) {
  ctx_.held.for_each(p, [&](resource_index r) { directory_.holder_left(r); });
  // Its claims go with it (claim_live checks the fetcher is on-line); the list is freed.
  std::vector<resource_index>().swap(claimed_[p]);
}

bool tracker::claim_live(const claim& c, double t) const {
  return c.fetcher != no_peer && c.until > t && ctx_.peers.uid(c.fetcher) == c.uid &&
         ctx_.peers.alive_at(c.fetcher, t);
}

// One want as the server answers it at `at_server`.
tracker::answer tracker::ask(peer_index w, resource_index r, double at_server, peer_index& holder) {
  candidates_.clear();
  slots_.clear();
  const std::uint32_t max_uploads = ctx_.uploads.max_uploads();
  directory_.sample(r, sample_, ctx_.random, [&](const holder_entry& e) {
    // The entry's own times decide (no cache miss on the holder): while its holder has not
    // left, the slot cannot have been handed to anyone else. Not yet announced or gone: not in
    // the server's directory.
    if (static_cast<double>(e.available_s) > at_server ||
        static_cast<double>(e.depart_s) <= at_server || e.slot == w) {
      return;
    }
    swarm::candidate c;
    c.id = id_of(e.uid);
    c.uploads_in_flight = ctx_.uploads.in_flight(e.slot, at_server);
    c.max_uploads = max_uploads;
    c.paired_with_wanter = ctx_.links.connected_uid(w, e.uid);
    c.uploads_completed = served_[e.slot];
    candidates_.push_back(c);  // no penalties, suspects or accusations: nobody lies here
    slots_.push_back(e.slot);
  });
  const swarm::choice pick =
      swarm::choose_holder(candidates_, id_of(ctx_.peers.uid(w)), ctx_.random.next());
  if (pick.index) {
    holder = slots_[*pick.index];
    return answer::hit;
  }
  if (pick.miss != swarm::miss_reason::no_holder) return answer::miss;  // all_busy

  claim& c = claims_[r];
  const std::uint32_t uid = ctx_.peers.uid(w);
  auto& mine = claimed_[w];
  swarm::unheld_facts facts;
  facts.fetched_by_other = claim_live(c, at_server) && !(c.fetcher == w && c.uid == uid);
  facts.wanter_uploads = max_uploads > 0;
  facts.wanter_claimed_before = std::find(mine.begin(), mine.end(), r) != mine.end();
  for (resource_index x : mine) {
    const claim& o = claims_[x];
    facts.wanter_live_claims += o.fetcher == w && o.uid == uid && o.until > at_server ? 1 : 0;
  }
  switch (swarm::answer_unheld(facts, server_limits.fetch_claims_per_peer)) {
    case swarm::unheld_answer::fetching:
      return answer::fetching;
    case swarm::unheld_answer::no_holder_claim:
      c = claim{w, uid, at_server + fetch_grace_s};
      if (mine.size() >= claims_remembered) mine.erase(mine.begin());
      mine.push_back(r);
      return answer::miss;
    case swarm::unheld_answer::no_holder:
      return answer::miss;
  }
  return answer::miss;
}

lookup_result tracker::lookup(peer_index w, resource_index r, double now, double deadline_s) {
  const double rtt = ctx_.peers.rtt_server_s(w);
  lookup_result result;
  result.outcome = lookup_outcome::not_found;
  for (double at_server = now + 0.5 * rtt;;) {
    peer_index holder = no_peer;
    const answer a = ask(w, r, at_server, holder);
    result.answered_s = at_server + 0.5 * rtt;
    if (a == answer::hit) {
      ctx_.stats.server(hit_messages, at_server);
      result.outcome = lookup_outcome::found;
      result.holder = holder;
      break;
    }
    ctx_.stats.server(miss_messages, at_server);
    if (a == answer::miss) break;
    // `fetching`: wait for the fetcher's announce and ask again, while an answer can still come
    // before the deadline; then the origin, with the token the last miss carried.
    ++ctx_.stats.fetching_answers;
    const double next = result.answered_s + retry_s_ + 0.5 * rtt;
    if (next + 0.5 * rtt > deadline_s) {
      result.answered_s = std::max(result.answered_s, deadline_s - rtt);
      break;
    }
    at_server = next;
  }
  if (result.outcome == lookup_outcome::found && result.answered_s > deadline_s) {
    // never with sane deadlines; kept for the invariant
    result.outcome = lookup_outcome::failed_deadline;
    result.holder = no_peer;
    result.answered_s = deadline_s;
  }
  return result;
}

void tracker::on_stored(peer_index p, resource_index r, double available_s) {
  directory_.add(r, holder_entry::make(p, ctx_.peers.uid(p), available_s, ctx_.peers.depart_s(p)),
                 available_s);
  ctx_.stats.server(announce_messages, available_s);
  // Its announce ends its claim (the server erases the hash from `incoming_`).
  claim& c = claims_[r];
  if (c.fetcher == p && c.uid == ctx_.peers.uid(p)) c.until = std::min(c.until, available_s);
}

void tracker::on_served(peer_index h, double) {
  ++served_[h];
}

}  // namespace circlecdn::sim
