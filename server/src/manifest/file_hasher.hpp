#pragma once
// Hashes one file (its SHA-256 and, past the piece size, each piece's) in steps of a byte budget,
// so a rescan can run on the io thread between requests instead of on a thread of its own: one
// more thread switches glibc and libstdc++ to their multi-threaded paths for the whole process
// (locked malloc, atomic reference counts, cancellation points around every syscall), which cost
// the origin ~5 % CPU per 1 KiB request (docs/benchmarks.md).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/content_hash.hpp"
#include "manifest/file_info.hpp"

namespace circlecdn::manifest {

struct file_entry;

class file_hasher {
 public:
  // Opens `path` (without blocking: a FIFO swapped in since the walk cannot stall the rescan).
  file_hasher(const std::filesystem::path& path, std::string url, std::uint64_t piece_size);
  ~file_hasher();
  file_hasher(const file_hasher&) = delete;
  file_hasher& operator=(const file_hasher&) = delete;

  enum class state { reading, done, failed };
  // Reads and hashes at most `budget` bytes (in reads of at most `buffer`'s size). `failed`:
  // the file cannot be read, is not regular, or changed while being read (a writer is busy; the
  // watcher reports its close and the next rescan picks it up).
  state step(std::vector<char>& buffer, std::uint64_t budget);
  std::uint64_t bytes_read() const { return total_; }
  // After `done`: the entry (its URL path, size, hashes and the version that was hashed).
  file_entry take();

 private:
  int fd_ = -1;
  std::string url_;
  std::uint64_t piece_size_;
  std::optional<file_info> before_;
  sha256_stream whole_, piece_;
  std::vector<content_hash> pieces_;
  std::uint64_t total_ = 0, in_piece_ = 0;
  state state_ = state::reading;
};

// The whole file at once (the constructor's first scan, tests).
std::optional<file_entry> hash_file(const std::filesystem::path& path, std::string url,
                                    std::uint64_t piece_size, std::vector<char>& buffer);

}  // namespace circlecdn::manifest
