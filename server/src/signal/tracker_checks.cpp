// The tracker's reports and possession challenges (docs/protocol.md, "Reports" and "Possession
// challenges"; docs/security.md, "False reports"): which reports count, what they and challenge
// outcomes cost, and who gets challenged.
#include <spdlog/spdlog.h>

#include <random>

#include "signal/detail/peer_state.hpp"
#include "signal/outbound.hpp"
#include "signal/tracker.hpp"
#include "swarm/path_outcomes.hpp"

namespace circlecdn::signal {

void tracker::on_report(peer_state& p, const report_msg& m, clock::time_point now) {
  if (!is_paired(p, m.peer))
    return send_error(p, error_code::not_paired, "you can only report a peer you were paired with",
                      "report");
  auto verdict = p.pairings ? p.pairings->take_report(m.peer, m.hash) : report_verdict::not_wanter;
  if (verdict != report_verdict::counts) ++checks_.reports_refused;
  switch (verdict) {
    case report_verdict::not_wanter:
      return send_error(p, error_code::not_wanter,
                        "only the wanter of a pairing made for that hash can report it", "report");
    case report_verdict::too_early:
      return send_error(p, error_code::report_too_early,
                        "that peer never answered your connection: nothing came from it", "report");
    case report_verdict::already_reported:
      return send_error(p, error_code::already_reported, "this pairing was reported already",
                        "report");
    case report_verdict::counts:
      break;
  }
  ++counters_.reports;
  spdlog::info("event=report reporter={} peer={} hash={}", p.id.str(), m.peer.str(), m.hash.hex());
  auto it = peers_.find(m.peer);
  peer_state* accused = it == peers_.end() ? nullptr : it->second.get();
  // Whatever the evidence is worth, the reporter is not offered this holder again, and the
  // holder's entry for the hash goes until a challenge shows it holds the bytes.
  ledger_.exclude(p.id, m.peer, now, swarm::path_rules::exclusion_life);
  if (accused) remove_holding(*accused, m.hash);
  if (penalties_.report(m.peer, accused ? std::string_view(accused->address) : std::string_view(),
                        p.address, m.hash, now)) {
    ++checks_.penalties;
    spdlog::info("event=penalty peer={} reason=report evidence={}", m.peer.str(),
                 penalties_.evidence(m.peer));
  }
  if (penalties_.penalised(m.peer, now)) p.link->deliver(make_penalised(m.peer));
  if (accused) challenge(*accused, m.hash, challenges::reason::report, now);
}

void tracker::on_proof(peer_state& p, const proof_msg& m, clock::time_point now) {
  auto c = challenges_.close(p.id, m.id);
  if (!c)
    return send_error(p, error_code::unknown_challenge,
                      "no challenge with this id is open for you (too late?)", "proof");
  if (!m.digest) return challenge_failed(*c, challenges::failure::refused, now);
  if (*m.digest != c->expected) return challenge_failed(*c, challenges::failure::wrong_digest, now);
  ++checks_.challenges_passed;
  auto contradicted = penalties_.passed_challenge(p.id, c->hash, now);
  checks_.reporters_contradicted += contradicted.reporters;
  if (contradicted.lifted) {
    ++checks_.penalties_lifted;
    spdlog::info("event=penalty_lifted peer={} hash={} evidence={}", p.id.str(), c->hash.hex(),
                 penalties_.evidence(p.id));
  }
  // A report took the holding away; the proof gives it back (within the caps).
  if (c->why == challenges::reason::report && !ledger_.holds(p.id, c->hash) &&
      known_hash_(c->hash) && ledger_.holdings_of(p.id) < lim_.holdings_per_peer &&
      ledger_.entries() < lim_.holdings_total)
    ledger_.add_holding(p.id, c->hash);
}

void tracker::challenge_failed(const challenges::open_challenge& c, challenges::failure why,
                               clock::time_point now) {
  auto it = peers_.find(c.peer);
  peer_state* p = it == peers_.end() ? nullptr : it->second.get();
  if (p) remove_holding(*p, c.hash);
  if (why == challenges::failure::wrong_digest) ++checks_.challenges_failed;
  if (why == challenges::failure::unanswered) ++checks_.challenges_unanswered;
  if (why == challenges::failure::refused) {
    ++checks_.challenges_refused;
    // "I do not hold it" is an honest answer when an eviction crossed a sampled challenge; about
    // a hash it was just reported for, or failed to deliver, it admits a claim it could not keep.
    if (c.why == challenges::reason::sample) return;
  }
  if (!p) return;  // (leave() forgets a peer's challenges: this is a peer that just left)
  if (penalties_.failed_challenge(c.peer, p->address, c.hash, now)) {
    ++checks_.penalties;
    spdlog::info("event=penalty peer={} reason=failed_challenge hash={}", c.peer.str(),
                 c.hash.hex());
  }
  // It claimed bytes it could not prove: none of its claims are offered any more (it may announce
  // again, and from a penalised address every announce is challenged). Left in the directory they
  // would also crowd real holders out of the tracker's sample of a hash's holders.
  ledger_.remove_holdings(p->id);
}

void tracker::sample_challenge(peer_state& p, std::span<const content_hash> added,
                               clock::time_point now) {
  if (added.empty() || !proof_) return;
  if (!penalties_.suspect(p.address, now)) {
    if (lim_.challenge_rate <= 0) return;
    if (std::uniform_real_distribution<double>(0, 1)(sample_rng_) >= lim_.challenge_rate) return;
  }
  auto pick = std::uniform_int_distribution<std::size_t>(0, added.size() - 1)(sample_rng_);
  challenge(p, added[pick], challenges::reason::sample, now);
}

bool tracker::challenge(peer_state& p, const content_hash& h, challenges::reason why,
                        clock::time_point now) {
  if (!proof_ || p.closing || !challenges_.may_open(p.id, h)) return false;
  if (!challenges_.spend(now)) {
    ++checks_.challenges_skipped;
    return false;
  }
  auto n = nonce::fresh();
  auto expected = proof_(h, n.bytes);
  if (!expected) return false;
  auto id = challenges_.open(p.id, h, *expected, why, now);
  ++checks_.challenges_sent;
  p.link->deliver(make_challenge(id, h, n.hex));
  return true;
}

void tracker::expire_challenges(clock::time_point now) {
  if (challenges_.open_count() == 0) return;
  for (const auto& c : challenges_.take_expired(now))
    challenge_failed(c, challenges::failure::unanswered, now);
}

}  // namespace circlecdn::signal
