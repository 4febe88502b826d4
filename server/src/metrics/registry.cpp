#include "metrics/registry.hpp"

namespace circlecdn::metrics {

void registry::http_answered(unsigned status, std::chrono::steady_clock::duration took) {
  if (status >= 100 && status < 600) ++by_status_[status - 100];
  http_seconds_.observe(std::chrono::duration<double>(took).count());
}

void registry::origin_wrote(std::string_view path, std::uint64_t bytes) {
  origin_bytes_ += bytes;
  if (auto it = by_path_.find(path); it != by_path_.end()) {
    it->second += bytes;
  } else if (by_path_.size() < resources_max) {
    by_path_.emplace(std::string(path), bytes);
  } else {
    by_path_other_ += bytes;
  }
}

}  // namespace circlecdn::metrics
