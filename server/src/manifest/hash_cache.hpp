#pragma once
// File hashes kept across restarts (--hash-cache FILE), so a restart of a large site listens at
// once instead of re-reading every byte. An entry counts only for the same URL path, inode, size,
// mtime and ctime (manifest/file_info.hpp) and the same piece size; anything else is hashed again.
// The file is text, one line per file, written to a temporary name and renamed over the old one;
// a file that is not exactly this format (another program's, a truncated one, another version) is
// ignored as a whole, with the reason.
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/content_hash.hpp"
#include "manifest/file_info.hpp"

namespace circlecdn::manifest {

struct cached_hashes {
  file_info version;
  content_hash sha256;
  std::vector<content_hash> pieces;
};

struct loaded_hashes {
  std::unordered_map<std::string, cached_hashes> files;  // by URL path
  bool found = false;                                    // the file exists and was read whole
  std::string problem;  // why the file was ignored; empty when read (or simply absent)
};

// Reads `path` for a site hashed with `piece_size`.
loaded_hashes load_hashes(const std::filesystem::path& path, std::uint64_t piece_size);

// One file as save_hashes reads it (pointers into a snapshot's entries: no copies).
struct hashed_file {
  const std::string* url;
  const file_info* version;
  const content_hash* sha256;
  const std::vector<content_hash>* pieces;
};

// Writes every entry (atomically: a temporary file in the same directory, then rename). Returns
// an error message, or an empty string.
std::string save_hashes(const std::filesystem::path& path, std::uint64_t piece_size,
                        const std::vector<hashed_file>& files);

}  // namespace circlecdn::manifest
