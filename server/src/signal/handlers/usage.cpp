// `usage`: what a visitor says it loaded, by source (untrusted, bounded per peer).
#include "signal/detail/peer_state.hpp"
#include "signal/tracker.hpp"

namespace circlecdn::signal {

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

}  // namespace circlecdn::signal
