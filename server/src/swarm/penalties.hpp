#pragma once
// Penalties and the evidence they rest on (docs/security.md, "False reports"). Pure bookkeeping,
// tested on its own: the tracker decides what counts as a report or a failed challenge, this class
// decides what that evidence is worth.
//
// Evidence against a holder is a set of distinct items: one per reporter address (worth that
// address's weight when it reported, at most 1, however often it reports) and one per hash the
// holder failed a possession challenge on (worth 1). The holder is penalised once the evidence is
// worth `threshold`; every further distinct item that raises its worth to the next whole point
// doubles the penalty. Repetition adds nothing.
//
// Reporter weight lives per address: 1 at first, halved each time a report of it is contradicted
// (the accused passes a possession challenge for that hash; once per accused holder, however many
// of its items the reporter reported), back to 1 when one is confirmed (the accused fails it).
// Below `min_weight` a report counts nothing.
//
// A contradicted report also loses half of what it was worth against that holder. One reporter
// at full weight penalises at once (a liar should not serve the next wanter while its challenge
// is in flight), but when the holder then proves it holds the bytes, that lone word is worth 0.5
// and the penalty is lifted: a Sybil that got an honest holder to answer one fake offer cannot
// keep it penalised. A holder that proves possession and still sends wrong bytes is convicted by
// a second reporter address (0.5 + 1, and 0.5 + 0.5 after that one's challenge too).
//
// A penalty is kept under the holder's public id (which a resume carries over) and leaves a strike
// on its address: new connections from there are suspects (challenged on every announce, chosen
// after others) until the penalty ends. Nothing is excluded for sharing an address.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"

namespace circlecdn::swarm {

namespace penalty_rules {
constexpr double threshold = 1.0;
constexpr double contradicted_factor = 0.5;
constexpr double min_weight = 1.0 / 16;  // four contradictions: the address no longer counts
constexpr std::uint32_t max_doublings = 6;
constexpr std::size_t evidence_per_holder = 16;  // items kept per accused (oldest dropped)
constexpr std::size_t max_holders = 10'000;      // accused remembered (expired first, then oldest)
constexpr std::size_t max_addresses = 10'000;    // strikes and reduced weights remembered
}  // namespace penalty_rules

using penalty_clock = std::chrono::steady_clock;

class penalties {
 public:
  explicit penalties(std::chrono::seconds base) : base_(base) {}

  // A counted report, from a peer at `reporter`, against `accused` (at `accused_address`) for
  // hash `h`. True when it penalised the holder or lengthened its penalty.
  bool report(const peer_id& accused, std::string_view accused_address, std::string_view reporter,
              const content_hash& h, penalty_clock::time_point now);
  // The holder failed (or did not answer) a possession challenge on `h`: evidence worth 1, and
  // the reporters of (accused, h) are confirmed. True when it penalised or lengthened.
  bool failed_challenge(const peer_id& accused, std::string_view accused_address,
                        const content_hash& h, penalty_clock::time_point now);
  struct contradiction {
    std::size_t reporters = 0;  // reports of (accused, h) contradicted now
    bool lifted = false;        // what was left of the evidence no longer justified the penalty
  };
  // The holder proved it holds `h`: every reporter of (accused, h) loses half its weight, and
  // each of those reports half its worth; a penalty they no longer justify ends now.
  contradiction passed_challenge(const peer_id& accused, const content_hash& h,
                                 penalty_clock::time_point now);

  bool penalised(const peer_id& id, penalty_clock::time_point now) const;
  // Peers under a penalty now (the dashboard's and the metrics' gauge).
  std::size_t penalised_count(penalty_clock::time_point now) const;
  bool suspect(std::string_view address, penalty_clock::time_point now) const;
  double weight(std::string_view reporter) const;
  // Evidence worth against `accused` (for logs, stats and tests).
  double evidence(const peer_id& accused) const;
  // What the holder policy needs, in one lookup per candidate of every want: penalised now, and
  // accused (evidence left against it, the last item less than `base` old: a contradicted report
  // demotes an honest holder for 10 minutes, not for the life of the process).
  struct standing {
    bool penalised = false;
    bool accused = false;
  };
  standing standing_of(const peer_id& id, penalty_clock::time_point now) const;
  std::size_t holders() const { return holders_.size(); }

 private:
  struct item {
    std::string reporter;  // empty: a failed challenge
    content_hash hash;
    double worth = 0;
  };
  struct holder {
    std::vector<item> items;
    penalty_clock::time_point until{};
    std::uint32_t points = 0;  // whole points of evidence already turned into penalty
    std::string address;       // where it was when last penalised: the strike to lift with it
    double worth = 0;          // worth(items), kept current by add() and passed_challenge()
    penalty_clock::time_point last_item{};  // when the newest item was added
  };
  bool add(const peer_id& accused, std::string_view address, item it,
           penalty_clock::time_point now);
  static double worth(const holder& h);
  void lift(holder& h, penalty_clock::time_point now);
  void strike(std::string_view address, penalty_clock::time_point until,
              penalty_clock::time_point now);

  std::chrono::seconds base_;
  std::unordered_map<peer_id, holder> holders_;
  std::unordered_map<std::string, double> weights_;  // only reduced weights: absent = 1
  std::unordered_map<std::string, penalty_clock::time_point> strikes_;
};

}  // namespace circlecdn::swarm
