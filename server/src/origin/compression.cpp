#include "origin/compression.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <stdexcept>

namespace circlecdn::origin {

namespace {

constexpr int gzip_level = 9;
constexpr int brotli_quality = 9;
constexpr int brotli_window = 22;
constexpr std::size_t entry_overhead_bytes = 128;  // the key, the list node, the map slot

}  // namespace

bool is_compressible(std::string_view type) {
  type = type.substr(0, type.find(';'));
  return type.starts_with("text/") || type == "application/json" ||
         type == "application/javascript" || type == "application/xml" || type == "image/svg+xml" ||
         type == "application/wasm" || type == "application/manifest+json";
}

std::string gzip_compress(std::string_view bytes) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper (RFC 1952) rather than zlib's.
  if (deflateInit2(&z, gzip_level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

std::string brotli_compress(std::string_view bytes) {
  std::size_t size = BrotliEncoderMaxCompressedSize(bytes.size());
  if (size == 0) size = bytes.size() + 1024;
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(brotli_quality, brotli_window, BROTLI_MODE_TEXT, bytes.size(),
                             reinterpret_cast<const std::uint8_t*>(bytes.data()), &size,
                             reinterpret_cast<std::uint8_t*>(out.data())))
    throw std::runtime_error("brotli compression failed");
  out.resize(size);
  return out;
}

std::shared_ptr<const cached_file> encoded_cache::insert(const key& k, std::string_view identity) {
  std::string form =
      k.coding == content_coding::br ? brotli_compress(identity) : gzip_compress(identity);
  ++compressions_;
  std::shared_ptr<const cached_file> kept;
  if (form.size() < identity.size()) kept = std::make_shared<cached_file>(std::move(form));
  const std::uint64_t cost = (kept ? kept->bytes().size() : 0) + entry_overhead_bytes;
  if (cost > budget_) return kept;  // served this once, not kept
  while (used_ + cost > budget_ && !lru_.empty()) {
    const auto victim = entries_.find(lru_.back());
    used_ -= (victim->second.form ? victim->second.form->bytes().size() : 0) + entry_overhead_bytes;
    entries_.erase(victim);
    lru_.pop_back();
  }
  lru_.push_front(k);
  entries_.emplace(k, entry{kept, lru_.begin()});
  used_ += cost;
  return kept;
}

}  // namespace circlecdn::origin
