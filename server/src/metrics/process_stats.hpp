#pragma once
// What the kernel says about this process (Linux /proc/self): resident memory and descriptors.
#include <cstdint>
#include <optional>

namespace circlecdn::metrics {

struct process_stats {
  std::uint64_t resident_bytes = 0;
  std::uint64_t open_fds = 0;
  std::uint64_t max_fds = 0;  // RLIMIT_NOFILE soft limit
  double cpu_seconds = 0;     // user + system
  double start_time_s = 0;    // unix time
};

// nullopt where /proc is not mounted.
std::optional<process_stats> read_process_stats();

}  // namespace circlecdn::metrics
