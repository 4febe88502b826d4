#include "metrics/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace circlecdn::metrics {

std::optional<process_stats> read_process_stats() {
  process_stats s;
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return std::nullopt;
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  s.resident_bytes = resident_pages * page;

  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++s.open_fds;
  if (s.open_fds > 0) --s.open_fds;  // the iterator's own descriptor on /proc/self/fd
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0) s.max_fds = lim.rlim_cur;

  // /proc/self/stat: fields 14, 15 (utime, stime) and 22 (starttime) in clock ticks; field 2 is
  // "(comm)" and may hold spaces, so count from the last ')'.
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  if (auto close = text.rfind(')'); close != std::string::npos) {
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    for (int i = 3; rest >> field; ++i) {
      if (i == 14 || i == 15) s.cpu_seconds += std::stod(field) / tick;
      if (i == 22) {
        std::ifstream uptime_file("/proc/uptime");
        double uptime = 0;
        uptime_file >> uptime;
        const double now =
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        s.start_time_s = now - uptime + std::stod(field) / tick;
        break;
      }
    }
  }
  return s;
}

}  // namespace circlecdn::metrics
