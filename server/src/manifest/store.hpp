#pragma once
// The site's content manifest: every file's size and SHA-256, and piece hashes for large files.
// A snapshot is immutable; the store swaps in a new one when the site changes. It also says
// whether a watcher vouches that the snapshot matches the disk (the origin's open-file cache,
// origin/open_file_cache.hpp, is used only then).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/content_hash.hpp"
#include "manifest/crowd_filter.hpp"
#include "manifest/file_info.hpp"
#include "manifest/hash_cache.hpp"

namespace circlecdn::manifest {

inline constexpr std::uint64_t default_piece_size_bytes = 256 * 1024;

struct file_entry {
  std::string path;  // URL path, "/img/cat.png"
  std::uint64_t size = 0;
  content_hash sha256;
  std::vector<content_hash> pieces;  // empty when size <= piece size
  file_info version;  // size, mtime, ctime, inode when hashed: notices a change not yet reported
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
  // SHA-256 of the JSON with the generation left out: equal for equal content whenever and by
  // whichever process it was built, so the manifest's ETag survives restarts.
  content_hash content_tag;

  const file_entry* find(std::string_view url_path) const;
  bool knows(const content_hash& h) const { return hashes.contains(h); }
};

class store {
 public:
  // With a hash_cache file (manifest/hash_cache.hpp) that exists and reads whole, the first
  // snapshot holds only the files whose hashes it vouches for, and the constructor reads no file:
  // the next rescan (the watcher's first, hashing in a child process) hashes the rest. Without one
  // (or on the first start, when it does not exist yet), the constructor hashes the whole site and
  // writes the file.
  explicit store(std::filesystem::path root, std::uint64_t piece_size = default_piece_size_bytes,
                 crowd_filter crowd = {}, std::filesystem::path hash_cache = {});

  // The current snapshot; readers keep it alive as long as they need it.
  std::shared_ptr<const snapshot> current() const;
  // Rebuilds from disk, rehashing only files whose size or mtime changed. Bumps the generation
  // only when something changed. Safe to call from any thread.
  void rescan();
  // The same rescan in steps (the watcher's, on the io thread: see manifest/file_hasher.hpp).
  class rescan_job;

  // What the scans did, for logs and tests.
  struct scan_counts {
    std::uint64_t from_hash_cache = 0;  // files taken from the hash cache file at start
    std::uint64_t hashed = 0;           // files read and hashed (every scan)
    std::uint64_t hashed_bytes = 0;
    std::uint64_t waiting = 0;  // files left for the next rescan (start with a hash cache)
  };
  scan_counts counts() const;
  const std::filesystem::path& root() const { return root_; }
  std::uint64_t piece_size() const { return piece_size_; }

  // The origin's cache may be used instead of the file system only while a watcher runs
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
  void save(const snapshot& s) const;  // writes the hash cache file (scan_mutex_ held)

  std::filesystem::path root_;
  std::uint64_t piece_size_;
  crowd_filter crowd_;
  std::atomic<bool> watching_{false};
  std::atomic<std::uint64_t> changes_{0};  // bumped per reported change
  std::atomic<std::uint64_t> settled_{0};  // changes_ as read at the start of the last rescan
  std::mutex scan_mutex_;  // one rescan at a time, so each builds on the snapshot it replaces
  // Guarded by scan_mutex_: the hash cache file, what was loaded from it (dropped after the first
  // full rescan) and whether this rescan may leave unknown files for the next one.
  std::filesystem::path hash_cache_;
  std::unordered_map<std::string, cached_hashes> loaded_;
  bool defer_unknown_ = false;
  scan_counts counts_;  // guarded by mutex_
  mutable std::mutex mutex_;
  std::shared_ptr<const snapshot> current_;
};

// A file a rescan needs hashed (its size, mtime, ctime or inode moved, or it is new).
struct hash_request {
  std::filesystem::path path;  // on disk
  std::string url;             // "/a/b.png"
};

class store::rescan_job {
 public:
  // Takes the store's scan lock (one rescan at a time) and walks the tree, which is not split:
  // listing directories is cheap next to reading files. With `hash_elsewhere`, step() reads no
  // file: once every file is stat'ed (walked()), take_files_to_hash() hands out the ones to read
  // (the watcher gives them to a child process, manifest/hash_child.hpp) and hashed() takes each
  // answer back, in the same order; then step() publishes.
  explicit rescan_job(store& s, bool hash_elsewhere = false);
  ~rescan_job();
  rescan_job(const rescan_job&) = delete;
  rescan_job& operator=(const rescan_job&) = delete;
  // Goes on for about `budget` bytes of reading (a stat counts as a small read); true once the
  // new snapshot is published (or there was nothing new). Dropped before that, nothing changes.
  bool step(std::uint64_t budget);
  bool walked() const;
  std::vector<hash_request> take_files_to_hash();
  // One answer per file handed out: its entry, or nullopt when it could not be hashed (it is
  // left out, and the watcher's next event for it brings it back).
  void hashed(std::optional<file_entry> e);

 private:
  struct state;
  std::unique_ptr<state> st_;
};

}  // namespace circlecdn::manifest
