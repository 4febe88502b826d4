#pragma once
// A content hash: the SHA-256 of some bytes, the name of everything peers exchange.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace circlecdn {

struct content_hash {
  std::array<std::uint8_t, 32> bytes{};

  // Parses exactly 64 lower-case hex characters; anything else is nullopt.
  static std::optional<content_hash> from_hex(std::string_view hex);
  static content_hash of(std::span<const std::byte> data);
  static content_hash of(std::string_view data) {
    return of(std::as_bytes(std::span(data.data(), data.size())));
  }
  std::string hex() const;

  friend bool operator==(const content_hash&, const content_hash&) = default;
  friend auto operator<=>(const content_hash&, const content_hash&) = default;
};

// Incremental SHA-256 for files read in chunks.
class sha256_stream {
 public:
  sha256_stream();
  ~sha256_stream();
  sha256_stream(const sha256_stream&) = delete;
  sha256_stream& operator=(const sha256_stream&) = delete;
  void update(const void* data, std::size_t size);
  content_hash finish();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept opaque so OpenSSL headers stay out of every includer
};

}  // namespace circlecdn

template <>
struct std::hash<circlecdn::content_hash> {
  std::size_t operator()(const circlecdn::content_hash& h) const noexcept {
    std::size_t v;  // the bytes are already uniformly random
    std::memcpy(&v, h.bytes.data(), sizeof v);
    return v;
  }
};
