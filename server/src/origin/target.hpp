#pragma once
// Request-target normalisation: the one gate between a URL and the file system. Pure code,
// no I/O, fuzzed on its own.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace circlecdn::origin {

inline constexpr std::size_t max_target_bytes = 2048;

enum class target_error {
  bad_request,   // 400: not origin-form, bad percent-encoding, NUL / control characters
  forbidden,     // 403: tries to climb ("..", encoded dots or slashes, backslashes)
  uri_too_long,  // 414: over max_target_bytes
};

// Decodes and normalises the path of a request-target ("/a/b.png?x=1") to a URL path that cannot
// name anything outside the site root ("/a/b.png"). The query string is dropped.
std::variant<std::string, target_error> normalise_target(std::string_view target);

}  // namespace circlecdn::origin
