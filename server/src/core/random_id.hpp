#pragma once
// Unguessable identifiers and secrets from the operating system's CSPRNG.
#include <cstddef>
#include <string>
#include <string_view>

namespace circlecdn {

// 128 random bits as 22 base64url characters: the form of a peer id.
std::string random_peer_id();
// n random bytes (throws if the CSPRNG fails).
std::string random_bytes(std::size_t n);
// base64url without padding.
std::string base64url(std::string_view bytes);
// true when s is exactly a 22-character base64url string (the shape of a peer id).
bool looks_like_peer_id(std::string_view s);

}  // namespace circlecdn
