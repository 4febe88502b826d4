#pragma once
// Unguessable identifiers and secrets from the operating system's CSPRNG.
#include <cstddef>
#include <string>
#include <string_view>

namespace circlecdn {

// n random bytes (throws if the CSPRNG fails).
std::string random_bytes(std::size_t n);
// base64url without padding.
std::string base64url(std::string_view bytes);

}  // namespace circlecdn
