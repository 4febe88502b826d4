#pragma once
// The origin's open-file cache: for files the manifest has hashed, the bytes (small files) or an
// open descriptor (larger ones), so a request for a known path makes no file-system call. Filled
// by the disk path: the first request for a file opens it the careful way (symlinks resolved, the
// real path checked inside the root, O_NOFOLLOW) and, when the opened inode is the version the
// manifest hashed, offers it here. Entries are kept across snapshots while their version is
// unchanged. Used only while the store says a watcher vouches for it (store::cache_trusted()).
// Not thread-safe: one per io thread, like the handler that owns it.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "manifest/file_info.hpp"
#include "manifest/store.hpp"
#include "origin/cached_file.hpp"

namespace circlecdn::origin {

// Files of at most file_bytes are kept in memory while the total stays under memory_bytes;
// larger ones keep their descriptor, at most `descriptors` of them (and never more than a
// quarter of RLIMIT_NOFILE). Defaults: 64 KiB (above it sendfile beats one write from memory,
// origin/reply_writer.cpp), 64 MiB, 1,024 descriptors (nginx's open_file_cache max=1000).
struct cache_limits {
  std::uint64_t file_bytes = 64 * 1024;
  std::uint64_t memory_bytes = 64 * 1024 * 1024;
  std::size_t descriptors = 1024;
};

class open_file_cache {
 public:
  explicit open_file_cache(cache_limits limits = {});

  // The cached file for a manifest entry, or null. Drops entries whose version moved on.
  std::shared_ptr<const cached_file> find(const manifest::file_entry& entry);
  // Offers a file the disk path opened: fd is open on `version`, which must be the entry's.
  // Reads small files into memory (checking the version did not move while reading), keeps a
  // duplicate of the descriptor for larger ones, or does nothing when over the limits or when
  // the file has other hard links (a write through a name outside the site is not reported).
  void offer(const manifest::file_entry& entry, int fd, const manifest::file_info& version);

  // Drops what the snapshot no longer lists, or lists with another version.
  void prune(const manifest::snapshot& snap);

  std::uint64_t memory_bytes() const { return bytes_; }
  std::size_t descriptors() const { return descriptors_; }

 private:
  struct slot {
    manifest::file_info version;
    std::shared_ptr<const cached_file> file;
  };
  void drop(
      std::unordered_map<std::string, slot, manifest::path_hash, std::equal_to<>>::iterator it);

  cache_limits limits_;
  std::unordered_map<std::string, slot, manifest::path_hash, std::equal_to<>> slots_;
  std::uint64_t bytes_ = 0;
  std::size_t descriptors_ = 0;
};

}  // namespace circlecdn::origin
