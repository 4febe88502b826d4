#pragma once
// The site's content manifest: every file's size and SHA-256, and piece hashes for large files.
// A snapshot is immutable; the store swaps in a new one when the site changes. It also carries the
// origin's open-file cache (manifest/cached_file.hpp), trusted only while a watcher reports
// changes.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/content_hash.hpp"
#include "manifest/cached_file.hpp"
#include "manifest/crowd_filter.hpp"
#include "manifest/file_info.hpp"

namespace circlecdn::manifest {

inline constexpr std::uint64_t default_piece_size_bytes = 256 * 1024;

// Bounds of the open-file cache. Files of at most file_bytes are kept in memory while the total
// stays under memory_bytes; larger ones keep their descriptor open, at most `descriptors` of them
// (and never more than a quarter of the process's RLIMIT_NOFILE). What does not fit is served by
// the origin's uncached path. Defaults: 64 KiB (the size above which sendfile beats one write
// from memory, app/http_session.cpp), 64 MiB, 1,024 descriptors (nginx's open_file_cache max=1000).
struct cache_limits {
  std::uint64_t file_bytes = 64 * 1024;
  std::uint64_t memory_bytes = 64 * 1024 * 1024;
  std::size_t descriptors = 1024;
};

struct file_entry {
  std::string path;  // URL path, "/img/cat.png"
  std::uint64_t size = 0;
  content_hash sha256;
  std::vector<content_hash> pieces;  // empty when size <= piece size
  file_info version;  // size, mtime, ctime, inode when hashed: notices a change not yet reported
  // The hashed bytes or a descriptor on the hashed inode; null when over the cache's limits, for a
  // symlink, or for a file with other hard links (writes through those are not reported).
  std::shared_ptr<const cached_file> cache;
  bool crowd = true;  // listed in the manifest and carried by peers (crowd_filter)
};

// Hashes std::string keys so lookups can take a string_view without building a string.
struct path_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct snapshot {
  std::uint64_t generation = 0;
  std::uint64_t piece_size = default_piece_size_bytes;
  std::unordered_map<std::string, file_entry, path_hash, std::equal_to<>> files;  // by URL path
  std::unordered_set<content_hash> hashes;  // every file and piece hash the crowd carries
  std::string json;  // serialised once per generation: the crowd's files only

  const file_entry* find(std::string_view url_path) const;
  bool knows(const content_hash& h) const { return hashes.contains(h); }
};

class store {
 public:
  explicit store(std::filesystem::path root, std::uint64_t piece_size = default_piece_size_bytes,
                 cache_limits limits = {}, crowd_filter crowd = {});

  // The current snapshot; readers keep it alive as long as they need it.
  std::shared_ptr<const snapshot> current() const;
  // Rebuilds from disk, rehashing only files whose size or mtime changed. Bumps the generation
  // only when something changed. Safe to call from any thread.
  void rescan();
  const std::filesystem::path& root() const { return root_; }

  // The cache in the snapshot may be used instead of the file system only while a watcher runs
  // and every change it reported has been rescanned: from the first event after a rescan until
  // the next rescan ends, the origin goes to the disk. The watcher calls these.
  void watch_started();  // counts as a change: what happened before the watches is unknown
  void watch_stopped();
  void note_change();
  bool cache_trusted() const {
    return watching_.load(std::memory_order_acquire) &&
           settled_.load(std::memory_order_acquire) == changes_.load(std::memory_order_acquire);
  }

 private:
  std::filesystem::path root_;
  std::uint64_t piece_size_;
  cache_limits limits_;
  crowd_filter crowd_;
  std::atomic<bool> watching_{false};
  std::atomic<std::uint64_t> changes_{0};  // bumped per reported change
  std::atomic<std::uint64_t> settled_{0};  // changes_ as read at the start of the last rescan
  std::mutex scan_mutex_;  // one rescan at a time, so each builds on the snapshot it replaces
  mutable std::mutex mutex_;
  std::shared_ptr<const snapshot> current_;
};

}  // namespace circlecdn::manifest
