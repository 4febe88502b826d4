#include "core/token.hpp"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>

#include "core/random_id.hpp"

namespace circlecdn {

namespace {
constexpr std::size_t mac_bytes = 16;  // 128-bit truncated HMAC: unforgeable, short in a header

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out += static_cast<char>(v >> (8 * i) & 0xff);
}
std::uint64_t get_u64(std::string_view in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<unsigned char>(in[i]);
  return v;
}
std::uint64_t seconds(token_signer::clock::time_point t) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return s < 0 ? 0 : static_cast<std::uint64_t>(s);
}
}  // namespace

token_signer::token_signer(std::string secret)
    : secret_(secret.empty() ? random_bytes(32) : std::move(secret)) {}

std::string token_signer::mac(char kind, std::string_view payload) const {
  std::string input(1, kind);
  input += payload;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), mac_bytes);
}

std::string token_signer::sign(char kind, std::string_view payload) const {
  return base64url(payload) + "." + base64url(mac(kind, payload));
}

std::optional<std::string> token_signer::verify(char kind, std::string_view token) const {
  auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 256) return std::nullopt;
  auto payload = base64url_decode(token.substr(0, dot));
  auto given = base64url_decode(token.substr(dot + 1));
  if (!payload || !given || given->size() != mac_bytes) return std::nullopt;
  if (CRYPTO_memcmp(mac(kind, *payload).data(), given->data(), mac_bytes) != 0) return std::nullopt;
  return payload;
}

std::string token_signer::resume_token(const peer_id& id, clock::time_point expires) const {
  std::string payload(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
  put_u64(payload, seconds(expires));
  return sign('R', payload);
}

std::optional<peer_id> token_signer::check_resume(std::string_view token,
                                                  clock::time_point now) const {
  auto payload = verify('R', token);
  if (!payload || payload->size() != 24) return std::nullopt;
  if (get_u64(std::string_view(*payload).substr(16)) < seconds(now)) return std::nullopt;
  peer_id id;
  std::memcpy(id.bytes.data(), payload->data(), 16);
  return id;
}

std::string token_signer::miss_token(const peer_id& id, const content_hash& h,
                                     clock::time_point expires) const {
  std::string payload(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
  payload.append(reinterpret_cast<const char*>(h.bytes.data()), 8);
  put_u64(payload, seconds(expires));
  return sign('M', payload);
}

std::optional<token_signer::miss_claim> token_signer::check_miss(std::string_view token,
                                                                 clock::time_point now) const {
  auto payload = verify('M', token);
  if (!payload || payload->size() != 32) return std::nullopt;
  const auto expiry = get_u64(std::string_view(*payload).substr(24));
  if (expiry < seconds(now)) return std::nullopt;
  miss_claim claim;
  std::memcpy(claim.peer.bytes.data(), payload->data(), claim.peer.bytes.size());
  std::memcpy(claim.hash_prefix.data(), payload->data() + 16, claim.hash_prefix.size());
  claim.mac = mac('M', *payload);
  claim.expires = clock::time_point(std::chrono::seconds(expiry));
  return claim;
}

bool token_signer::miss_claim::names(const content_hash& h) const {
  return std::equal(hash_prefix.begin(), hash_prefix.end(), h.bytes.begin());
}

}  // namespace circlecdn
