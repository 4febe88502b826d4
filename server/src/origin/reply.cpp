#include "origin/reply.hpp"

#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace circlecdn::origin {

std::string to_bytes(const reply& r) {
  std::string raw;
  raw.append(r.head).append(r.tail).append(r.memory_body());
  if (const int fd = r.fd(); fd >= 0) {
    const auto header_bytes = raw.size();
    raw.resize(header_bytes + r.length);
    for (std::uint64_t done = 0; done < r.length;) {
      const ssize_t n = ::pread(fd, raw.data() + header_bytes + done, r.length - done,
                                static_cast<off_t>(r.offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("file shrank or failed to read");
      done += static_cast<std::uint64_t>(n);
    }
  }
  return raw;
}

}  // namespace circlecdn::origin
