#pragma once
// Which reports count (docs/protocol.md, "Reports"): a wanter's record of the pairings the server
// made for it. A report counts only about a pairing in this record (so holders, strangers and
// wanters of another hash cannot report), only once the holder answered this wanter's connection
// with a signal (before that no byte can have come from it), and once per pairing.
#include <cstdint>
#include <vector>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"

namespace circlecdn::signal {

namespace report_rules {
// Pairings one wanter remembers (oldest forgotten first): as many as wants it may have had in
// flight over a few rounds; 50 bytes each, allocated on its first match.
constexpr std::size_t pairings_per_wanter = 64;
// Holders remembered as having answered this wanter: a reused channel (connect:false) was opened
// by an earlier pairing's signals.
constexpr std::size_t answered_per_wanter = 64;
}  // namespace report_rules

enum class report_verdict : std::uint8_t {
  counts,            // a pairing made for this wanter, answered by the holder, not yet reported
  not_wanter,        // no pairing of this wanter with that holder for that hash
  too_early,         // the holder never answered this wanter: no bytes came from it
  already_reported,  // this pairing was reported before
};

class pairing_log {
 public:
  // The server matched this wanter with `holder` for `h`.
  void matched(const peer_id& holder, const content_hash& h);
  // `holder` relayed a signal to this wanter (it answered an offer or sent candidates).
  void answered_by(const peer_id& holder);
  // Checks a report and, when it counts, marks the pairing reported.
  report_verdict take_report(const peer_id& holder, const content_hash& h);

 private:
  bool answered(const peer_id& holder) const;
  struct pairing {
    peer_id holder;
    content_hash hash;
    bool reported = false;
  };
  std::vector<pairing> pairings_;  // oldest first
  std::vector<peer_id> answered_;  // oldest first
};

}  // namespace circlecdn::signal
