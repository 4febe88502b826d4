#pragma once
// Unguessable identifiers and secrets from the operating system's CSPRNG.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace circlecdn {

// n random bytes (throws if the CSPRNG fails).
std::string random_bytes(std::size_t n);
// base64url without padding.
std::string base64url(std::string_view bytes);
// The inverse; nullopt on a character outside the alphabet or a non-canonical tail (spare bits
// set, or a dangling sixth of a byte), so every byte string has exactly one accepted spelling.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace circlecdn
