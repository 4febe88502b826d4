#pragma once
// /metrics: every family the server exposes, in the Prometheus text format (docs/operations.md,
// "Metrics", lists them). Read from the three owners of metric state: the tracker's counters,
// the origin's counters and the HTTP registry, plus the manifest and /proc/self.
#include <string>

#include "app/context.hpp"

namespace circlecdn::app {

std::string metrics_text(context& ctx);

// Files and bytes of a manifest snapshot (every file the origin serves).
struct manifest_totals {
  std::uint64_t files = 0, bytes = 0, crowd_files = 0, hashes = 0;
};
manifest_totals totals_of(const manifest::snapshot& snap);

}  // namespace circlecdn::app
