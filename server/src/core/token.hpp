#pragma once
// Stateless signed tokens (HMAC-SHA256): the resume token and the miss token. The server keeps
// nothing per token, so a peer that leaves leaves nothing behind.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"

namespace circlecdn {

class token_signer {
 public:
  using clock = std::chrono::system_clock;
  explicit token_signer(std::string secret);  // empty = random per process

  std::string resume_token(const peer_id& id, clock::time_point expires) const;
  std::optional<peer_id> check_resume(std::string_view token, clock::time_point now) const;

  // What a valid, unexpired miss token says: which hash the tracker could not place (its first 8
  // bytes: enough to bind the token to one file or piece) and its MAC, which names it uniquely.
  struct miss_claim {
    peer_id peer;  // whom the tracker issued it to
    std::array<unsigned char, 8> hash_prefix{};
    std::string mac;  // raw bytes
    clock::time_point expires;
    bool names(const content_hash& h) const;
  };
  std::string miss_token(const peer_id& id, const content_hash& h, clock::time_point expires) const;
  std::optional<miss_claim> check_miss(std::string_view token, clock::time_point now) const;

 private:
  std::string mac(char kind, std::string_view payload) const;  // truncated HMAC, raw bytes
  std::string sign(char kind, std::string_view payload) const;
  std::optional<std::string> verify(char kind, std::string_view token) const;
  std::string secret_;
};

}  // namespace circlecdn
