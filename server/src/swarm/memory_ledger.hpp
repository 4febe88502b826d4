#pragma once
// The one-process ledger: the directory (hash -> holders) and, per peer that has any, one record
// of its holdings, transfers, fetch claims and path outcomes. An idle peer that announced nothing
// has no record.
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "swarm/directory.hpp"
#include "swarm/ledger.hpp"
#include "swarm/path_outcomes.hpp"

namespace circlecdn::swarm {

class memory_ledger final : public ledger {
 public:
  memory_ledger(directory& dir, std::chrono::seconds penalty_base)
      : dir_(dir), penalties_(penalty_base) {}

  bool add_holding(const peer_id& p, const content_hash& h) override;
  bool remove_holding(const peer_id& p, const content_hash& h) override;
  void remove_holdings(const peer_id& p) override;
  bool holds(const peer_id& p, const content_hash& h) const override;
  std::size_t holdings_of(const peer_id& p) const override;
  void sample_holders(const content_hash& h, std::size_t max, std::vector<peer_id>& out) override {
    dir_.sample(h, max, out);
  }
  std::size_t entries() const override { return dir_.entries(); }
  std::size_t hashes() const override { return dir_.hashes(); }

  void open_transfer(const transfer& t) override;
  const transfer* find_transfer(const peer_id& wanter, std::uint32_t id) const override;
  std::optional<transfer> close_transfer(const peer_id& wanter, std::uint32_t id) override;
  std::vector<transfer> close_transfers_of(const peer_id& p) override;
  std::vector<transfer> take_expired(ledger_clock::time_point now) override;
  std::size_t wants_of(const peer_id& wanter) const override;
  std::uint32_t uploads_of(const peer_id& holder) const override;
  std::size_t transfers() const override { return transfers_; }

  std::optional<peer_id> fetcher(const content_hash& h,
                                 ledger_clock::time_point now) const override;
  fetch_claims fetch_claims_of(const peer_id& p, const content_hash& h,
                               ledger_clock::time_point now) const override;
  void claim_fetch(const peer_id& p, const content_hash& h, ledger_clock::time_point now,
                   ledger_clock::time_point until, const fetch_bounds& b) override;
  void fetch_ended(const content_hash& h) override { incoming_.erase(h); }
  std::size_t fetches() const override { return incoming_.size(); }

  void exclude(const peer_id& wanter, const peer_id& holder, ledger_clock::time_point now,
               ledger_clock::duration life) override;
  bool excluded(const peer_id& wanter, const peer_id& holder,
                ledger_clock::time_point now) const override;
  bool record_outcome(const peer_id& holder, bool ok, const peer_id& wanter,
                      ledger_clock::time_point now) override;
  bool unreachable(const peer_id& holder, ledger_clock::time_point now) const override;

  swarm::penalties& penalties() override { return penalties_; }

  void rename(const peer_id& from, const peer_id& to) override;
  void forget(const peer_id& p) override;

  std::size_t records() const { return records_.size(); }  // peers with any state (tests)
  // At most one; null = none (the default: one process alone).
  void set_observer(holdings_observer* o) { observer_ = o; }

 private:
  // One upload slot of a holder: which wanter's want it serves.
  struct upload_ref {
    peer_id wanter;
    std::uint32_t id;
  };
  struct record {
    std::unordered_set<content_hash> holdings;
    std::vector<transfer> wants;                // as a wanter, oldest first
    std::vector<upload_ref> uploads;            // as a holder, oldest first
    std::vector<content_hash> fetching;         // hashes it claimed to fetch (see incoming_)
    path_exclusions excluded;                   // holders it, as a wanter, failed to reach
    std::unique_ptr<holder_outcomes> outcomes;  // as a holder: from its first outcome on
  };
  record& at(const peer_id& p) { return records_[p]; }
  const record* find(const peer_id& p) const;
  void drop_upload(const peer_id& holder, const peer_id& wanter, std::uint32_t id);

  void added(const content_hash& h, const peer_id& p);
  void removed(const content_hash& h, const peer_id& p);

  directory& dir_;
  holdings_observer* observer_ = nullptr;
  swarm::penalties penalties_;  // bounded: see swarm/penalties.hpp
  std::unordered_map<peer_id, record> records_;
  // Hashes a peer is fetching from the origin right now: one entry per hash, until `until`.
  struct incoming {
    peer_id fetcher;
    ledger_clock::time_point until;
  };
  std::unordered_map<content_hash, incoming> incoming_;
  std::size_t transfers_ = 0;
};

}  // namespace circlecdn::swarm
