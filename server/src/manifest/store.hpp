#pragma once
// The site's content manifest: every file's size and SHA-256, and piece hashes for large files.
// A snapshot is immutable; the store swaps in a new one when the site changes.
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

namespace circlecdn::manifest {

inline constexpr std::uint64_t default_piece_size_bytes = 256 * 1024;

struct file_entry {
  std::string path;  // URL path, "/img/cat.png"
  std::uint64_t size = 0;
  content_hash sha256;
  std::vector<content_hash> pieces;  // empty when size <= piece size
  std::int64_t mtime_ns = 0;         // to notice a change the watcher has not reported yet
};

struct snapshot {
  std::uint64_t generation = 0;
  std::uint64_t piece_size = default_piece_size_bytes;
  std::unordered_map<std::string, file_entry> files;  // by URL path
  std::unordered_set<content_hash> hashes;            // every file hash and piece hash
  std::string json;                                   // serialised once per generation

  const file_entry* find(std::string_view url_path) const;
  bool knows(const content_hash& h) const { return hashes.contains(h); }
};

class store {
 public:
  explicit store(std::filesystem::path root, std::uint64_t piece_size = default_piece_size_bytes);

  // The current snapshot; readers keep it alive as long as they need it.
  std::shared_ptr<const snapshot> current() const;
  // Rebuilds from disk, rehashing only files whose size or mtime changed. Bumps the generation
  // only when something changed. Safe to call from any thread.
  void rescan();
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::uint64_t piece_size_;
  std::mutex scan_mutex_;  // one rescan at a time, so each builds on the snapshot it replaces
  mutable std::mutex mutex_;
  std::shared_ptr<const snapshot> current_;
};

}  // namespace circlecdn::manifest
