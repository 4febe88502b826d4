#pragma once
// The crowd's state, in one place: who holds what (the directory and each peer's own list), the
// transfers in flight (a wanter's want matched with a holder's upload slot, both by peer id), who
// is fetching what from the origin, penalties, and the outcomes of peer paths. The tracker keeps
// only what a connection needs (its link, rate bucket, pairings it may signal on) and asks the
// ledger for the rest, so the crowd can be kept elsewhere than in this process's memory.
// memory_ledger is the one-process implementation (the default).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"
#include "swarm/penalties.hpp"

namespace circlecdn::swarm {

using ledger_clock = std::chrono::steady_clock;

// A want matched with a holder: the wanter's request `id` for `hash`, to be pushed by `holder`.
struct transfer {
  peer_id wanter;
  std::uint32_t id = 0;
  content_hash hash;
  peer_id holder;
  ledger_clock::time_point deadline;  // the want expires unfinished then
  // The process of the side that is not connected here (a pairing across processes); all zero
  // when both are this process's peers.
  peer_id process{};
  bool remote() const { return process != peer_id{}; }
};

// Bounds on the origin-fetch claims (docs/protocol.md, "Holder policy").
struct fetch_bounds {
  std::size_t claims_per_peer = 16;      // live claims one peer holds at once
  std::size_t remembered_per_peer = 64;  // hashes a peer claimed that it may not claim again
  std::size_t hashes_max = 100'000;      // claims remembered in all
};

// Told of every holding added or removed (and whether it was this process's first holder of the
// hash, or its last): what a cluster mirror (cluster/crowd_mirror.hpp) shares with other processes.
class holdings_observer {
 public:
  virtual ~holdings_observer() = default;
  virtual void holding_added(const content_hash& h, const peer_id& p, bool first_here) = 0;
  virtual void holding_removed(const content_hash& h, const peer_id& p, bool last_here) = 0;
};

class ledger {
 public:
  virtual ~ledger() = default;

  // Holdings. add: false when p held h already. remove: false when it did not.
  virtual bool add_holding(const peer_id& p, const content_hash& h) = 0;
  virtual bool remove_holding(const peer_id& p, const content_hash& h) = 0;
  virtual void remove_holdings(const peer_id& p) = 0;  // every one of p's
  virtual bool holds(const peer_id& p, const content_hash& h) const = 0;
  virtual std::size_t holdings_of(const peer_id& p) const = 0;
  // Up to `max` holders of h, spread over all of them across calls (swarm::directory::sample).
  virtual void sample_holders(const content_hash& h, std::size_t max,
                              std::vector<peer_id>& out) = 0;
  virtual std::size_t entries() const = 0;  // (hash, peer) holdings in all
  virtual std::size_t hashes() const = 0;   // distinct hashes held

  // Transfers. A wanter's ids are unique among its transfers (the tracker checks duplicate_id).
  virtual void open_transfer(const transfer& t) = 0;
  virtual const transfer* find_transfer(const peer_id& wanter, std::uint32_t id) const = 0;
  virtual std::optional<transfer> close_transfer(const peer_id& wanter, std::uint32_t id) = 0;
  // Ends every transfer p is part of: first those it wants (in the order matched), then those it
  // uploads (in the order matched).
  virtual std::vector<transfer> close_transfers_of(const peer_id& p) = 0;
  // Ends and returns the transfers whose deadline has passed.
  virtual std::vector<transfer> take_expired(ledger_clock::time_point now) = 0;
  virtual std::size_t wants_of(const peer_id& wanter) const = 0;
  virtual std::uint32_t uploads_of(const peer_id& holder) const = 0;  // a holder-policy input
  virtual std::size_t transfers() const = 0;

  // Origin fetches: the peer told `no_holder` for h is its fetcher until `until`, so later
  // wanters are told `fetching`.
  virtual std::optional<peer_id> fetcher(const content_hash& h,
                                         ledger_clock::time_point now) const = 0;
  // False when p holds claims_per_peer live claims already, or claimed h before.
  // What the fetching rule (swarm::answer_unheld) needs to know of p's claims.
  struct fetch_claims {
    bool claimed_before = false;  // p claimed h before (and did not announce it in time)
    std::size_t live = 0;         // p's claims not yet expired nor announced
  };
  virtual fetch_claims fetch_claims_of(const peer_id& p, const content_hash& h,
                                       ledger_clock::time_point now) const = 0;
  virtual void claim_fetch(const peer_id& p, const content_hash& h, ledger_clock::time_point now,
                           ledger_clock::time_point until, const fetch_bounds& b) = 0;
  virtual void fetch_ended(const content_hash& h) = 0;  // someone announced it
  virtual std::size_t fetches() const = 0;

  // Peer paths (swarm/path_outcomes.hpp): a wanter's exclusions, a holder's recent outcomes.
  virtual void exclude(const peer_id& wanter, const peer_id& holder, ledger_clock::time_point now,
                       ledger_clock::duration life) = 0;
  virtual bool excluded(const peer_id& wanter, const peer_id& holder,
                        ledger_clock::time_point now) const = 0;
  // True when this failure made the holder unreachable (it was not before).
  virtual bool record_outcome(const peer_id& holder, bool ok, const peer_id& wanter,
                              ledger_clock::time_point now) = 0;
  virtual bool unreachable(const peer_id& holder, ledger_clock::time_point now) const = 0;

  // Penalties and the evidence they rest on.
  virtual swarm::penalties& penalties() = 0;

  // A connection takes back an earlier id (hello.resume): what was kept under `from` moves.
  virtual void rename(const peer_id& from, const peer_id& to) = 0;
  // A peer left: its holdings, its fetch claims and its path records go (close its transfers
  // first). Penalties stay, under its id.
  virtual void forget(const peer_id& p) = 0;
};

}  // namespace circlecdn::swarm
