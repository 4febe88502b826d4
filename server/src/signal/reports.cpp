#include "signal/reports.hpp"

#include <algorithm>

namespace circlecdn::signal {

void pairing_log::matched(const peer_id& holder, const content_hash& h) {
  if (pairings_.size() >= report_rules::pairings_per_wanter) pairings_.erase(pairings_.begin());
  pairings_.push_back({holder, h, false});
}

bool pairing_log::answered(const peer_id& holder) const {
  return std::find(answered_.begin(), answered_.end(), holder) != answered_.end();
}

void pairing_log::answered_by(const peer_id& holder) {
  if (answered(holder)) return;
  if (answered_.size() >= report_rules::answered_per_wanter) answered_.erase(answered_.begin());
  answered_.push_back(holder);
}

report_verdict pairing_log::take_report(const peer_id& holder, const content_hash& h) {
  // The newest unreported pairing first: a hash wanted twice from one holder is two pairings.
  pairing* found = nullptr;
  bool any = false;
  for (auto it = pairings_.rbegin(); it != pairings_.rend(); ++it) {
    if (it->holder != holder || it->hash != h) continue;
    any = true;
    if (!it->reported) {
      found = &*it;
      break;
    }
  }
  if (!any) return report_verdict::not_wanter;
  if (!found) return report_verdict::already_reported;
  if (!answered(holder)) return report_verdict::too_early;
  found->reported = true;
  return report_verdict::counts;
}

}  // namespace circlecdn::signal
