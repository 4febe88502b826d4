#pragma once
// What identifies one version of a file on disk, read the same way by the scan and by the static
// origin, so "unchanged since hashed" means the same thing in both: size and mtime as before, plus
// the inode (a file renamed over it is another file) and ctime (a user can set mtime back, as
// `cp -p` and `touch -r` do, but never ctime: any write, rename or chmod moves it).
#include <sys/stat.h>

#include <cstdint>
#include <optional>

namespace circlecdn::manifest {

struct file_info {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::uint64_t links = 0;
  bool regular = false;

  // Same bytes as when `other` was read, as far as the file system can tell.
  bool same_version(const file_info& other) const {
    return size == other.size && mtime_ns == other.mtime_ns && ctime_ns == other.ctime_ns &&
           inode == other.inode;
  }
};

inline file_info file_info_from(const struct stat& st) {
  file_info f;
  f.size = static_cast<std::uint64_t>(st.st_size);
  f.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  f.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  f.inode = static_cast<std::uint64_t>(st.st_ino);
  f.links = static_cast<std::uint64_t>(st.st_nlink);
  f.regular = S_ISREG(st.st_mode);
  return f;
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
