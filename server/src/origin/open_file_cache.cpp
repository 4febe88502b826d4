#include "origin/open_file_cache.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>

namespace circlecdn::origin {

open_file_cache::open_file_cache(cache_limits limits) : limits_(limits) {
  // Cached descriptors must leave room for connections: at most a quarter of the fd limit.
  if (rlimit r{}; ::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY)
    limits_.descriptors = std::min<std::size_t>(limits_.descriptors, r.rlim_cur / 4);
}

void open_file_cache::drop(
    std::unordered_map<std::string, slot, manifest::path_hash, std::equal_to<>>::iterator it) {
  if (it->second.file->in_memory())
    bytes_ -= it->second.file->bytes().size();
  else
    --descriptors_;
  slots_.erase(it);
}

std::shared_ptr<const cached_file> open_file_cache::find(const manifest::file_entry& entry) {
  const auto it = slots_.find(entry.path);
  if (it == slots_.end()) return nullptr;
  if (!it->second.version.same_version(entry.version)) {
    drop(it);  // the manifest has hashed a newer version: this one is stale
    return nullptr;
  }
  return it->second.file;
}

void open_file_cache::prune(const manifest::snapshot& snap) {
  for (auto it = slots_.begin(); it != slots_.end();) {
    const auto* entry = snap.find(it->first);
    auto next = std::next(it);
    if (!entry || !entry->version.same_version(it->second.version)) drop(it);
    it = next;
  }
}

void open_file_cache::offer(const manifest::file_entry& entry, int fd,
                            const manifest::file_info& version) {
  if (!version.regular || version.links != 1 || !version.same_version(entry.version)) return;
  if (const auto it = slots_.find(entry.path); it != slots_.end()) drop(it);
  if (version.size <= limits_.file_bytes && bytes_ + version.size <= limits_.memory_bytes) {
    std::string bytes(static_cast<std::size_t>(version.size), '\0');
    for (std::size_t done = 0; done < bytes.size();) {
      const ssize_t n =
          ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // shrank or failed: not cached, the disk path keeps serving it
      done += static_cast<std::size_t>(n);
    }
    // Bytes and hash agree only if nothing wrote while we read.
    const auto after = manifest::file_info_of(fd);
    if (!after || !after->same_version(version)) return;
    bytes_ += bytes.size();
    slots_.emplace(entry.path, slot{version, std::make_shared<cached_file>(std::move(bytes))});
    return;
  }
  if (descriptors_ >= limits_.descriptors) return;
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return;
  ++descriptors_;
  slots_.emplace(entry.path, slot{version, std::make_shared<cached_file>(copy)});
}

}  // namespace circlecdn::origin
