#pragma once
// TURN REST credentials (draft-uberti-behave-turn-rest, as Debian's coturn checks them with
// `use-auth-secret` / `static-auth-secret`): the username carries its own expiry, the credential
// is an HMAC of the username with the secret the server shares with coturn. Nothing is stored:
// coturn recomputes the HMAC and refuses a username whose time has passed.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/peer_id.hpp"

namespace circlecdn {

// "<unix expiry>:<public peer id>"
std::string turn_username(std::int64_t expires_unix, const peer_id& peer);
// base64(HMAC-SHA1(secret, username)), standard base64 with padding.
std::string turn_credential(std::string_view secret, std::string_view username);

}  // namespace circlecdn
