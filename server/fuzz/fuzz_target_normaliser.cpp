// libFuzzer target for normalise_target: whatever the input, it must not crash, and an accepted
// target must be a rooted path that cannot climb (the invariants the static origin relies on).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "origin/target.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool has_segment(std::string_view path, std::string_view segment) {
  std::size_t pos = 0;
  while (pos < path.size()) {
    const auto end = std::min(path.find('/', pos + 1), path.size());
    if (path.substr(pos + 1, end - pos - 1) == segment) return true;
    pos = end;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  const auto result = circlecdn::origin::normalise_target(target);
  if (const auto* path = std::get_if<std::string>(&result)) {
    check(!path->empty() && path->front() == '/');
    check(path->find("/../") == std::string::npos && path->find("/./") == std::string::npos);
    check(!has_segment(*path, "..") && !has_segment(*path, "."));
    check(path->find("//") == std::string::npos);
    check(path->find('\\') == std::string::npos);
    check(path->find('\0') == std::string::npos);
    for (const char c : *path) check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    check(size <= circlecdn::origin::max_target_bytes);
    check(path->size() <= size);  // decoding and collapsing only ever shrink
    // A result without characters that mean something in a raw target is a fixed point.
    if (path->find_first_of("% #?") == std::string::npos) {
      const auto again = circlecdn::origin::normalise_target(*path);
      check(std::holds_alternative<std::string>(again) && std::get<std::string>(again) == *path);
    }
  } else {
    check(size > 0 || std::get<circlecdn::origin::target_error>(result) ==
                          circlecdn::origin::target_error::bad_request);
  }
  return 0;
}
