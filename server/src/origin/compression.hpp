#pragma once
// gzip and brotli forms of text files and of the manifest, made once per content hash and kept
// (bounded, least recently used first out), never per request. A form is kept only when it is
// smaller than the identity bytes; otherwise that is remembered too, so the file is not tried
// again. Not thread-safe: one per io thread, like the handler that owns it.
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/content_hash.hpp"
#include "origin/accept_encoding.hpp"
#include "origin/cached_file.hpp"

namespace circlecdn::origin {

// Text by MIME type: text/*, JSON, JavaScript, XML, SVG, WebAssembly (images, fonts in woff2,
// video and archives are compressed already).
bool is_compressible(std::string_view content_type);

// gzip at level 9 and brotli at quality 9 window 22: made once per content, on the io thread of the
// first request that wants it. Brotli 11 took ~10x the CPU of 9 (~290 vs ~28 ms for a 280 KB
// script) for 7-12% fewer bytes: too long a stall for every other request on that thread
// (docs/benchmarks.md, "Compression"; bench/origin/compression-levels.py).
std::string gzip_compress(std::string_view bytes);
std::string brotli_compress(std::string_view bytes);

// Files above this are sent as they are: compressing runs on the io thread on the first request.
inline constexpr std::uint64_t compress_max_bytes = 4 * 1024 * 1024;
// Memory for the compressed forms of all files together.
inline constexpr std::uint64_t encoded_cache_bytes = 32 * 1024 * 1024;

class encoded_cache {
 public:
  explicit encoded_cache(std::uint64_t budget_bytes = encoded_cache_bytes)
      : budget_(budget_bytes) {}

  // The `coding` form of the content `hash`, whose identity bytes `identity` reads (called only
  // when it is not known yet). Null when the form would not be smaller, or the content is too big.
  template <class ReadIdentity>
  std::shared_ptr<const cached_file> get(const content_hash& hash, content_coding coding,
                                         std::uint64_t size, ReadIdentity&& identity) {
    if (size > compress_max_bytes || size == 0) return nullptr;
    const key k{hash, coding};
    if (auto it = entries_.find(k); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.position);
      return it->second.form;
    }
    std::string bytes;
    if (!identity(bytes)) return nullptr;
    return insert(k, bytes);
  }

  std::uint64_t compressions() const { return compressions_; }  // forms made (tests, stats)
  std::uint64_t bytes() const { return used_; }

 private:
  struct key {
    content_hash hash;
    content_coding coding;
    bool operator==(const key&) const = default;
  };
  struct key_hash {
    std::size_t operator()(const key& k) const {
      return std::hash<content_hash>{}(k.hash) ^ static_cast<std::size_t>(k.coding);
    }
  };
  struct entry {
    std::shared_ptr<const cached_file> form;  // null: not worth it
    std::list<key>::iterator position;
  };
  std::shared_ptr<const cached_file> insert(const key& k, std::string_view identity);

  std::uint64_t budget_, used_ = 0, compressions_ = 0;
  std::list<key> lru_;  // most recent first
  std::unordered_map<key, entry, key_hash> entries_;
};

}  // namespace circlecdn::origin
