#pragma once
// The (size, mtime) pair the manifest keys a file's hashes on, read the same way by the scan and by
// the static origin, so "unchanged since hashed" means the same thing in both.
#include <sys/stat.h>

#include <cstdint>
#include <optional>

namespace circlecdn::manifest {

struct file_info {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool regular = false;
};

inline file_info file_info_from(const struct stat& st) {
  return file_info{
      static_cast<std::uint64_t>(st.st_size),
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
      S_ISREG(st.st_mode)};
}

inline std::optional<file_info> file_info_of(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::nullopt;
  return file_info_from(st);
}

// Follows symlinks, like opening the path would.
inline std::optional<file_info> file_info_of(const char* path) {
  struct stat st {};
  if (::stat(path, &st) != 0) return std::nullopt;
  return file_info_from(st);
}

}  // namespace circlecdn::manifest
