#pragma once
// Stateless signed tokens (HMAC-SHA256): the resume token and the miss token. The server keeps
// nothing per token, so a peer that leaves leaves nothing behind.
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

  std::string miss_token(const peer_id& id, const content_hash& h, clock::time_point expires) const;
  bool check_miss(std::string_view token, clock::time_point now) const;

 private:
  std::string mac(char kind, std::string_view payload) const;  // truncated HMAC, raw bytes
  std::string sign(char kind, std::string_view payload) const;
  std::optional<std::string> verify(char kind, std::string_view token) const;
  std::string secret_;
};

}  // namespace circlecdn
