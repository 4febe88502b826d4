#include "cli/hash_cache_location.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "core/content_hash.hpp"

namespace circlecdn::cli {

namespace fs = std::filesystem;

namespace {

bool inside(const fs::path& root, const fs::path& p) {
  auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  return r == root.end();
}

}  // namespace

fs::path default_hash_cache(const fs::path& site) {
  fs::path dir;
  if (const char* state = std::getenv("STATE_DIRECTORY"); state && *state) {
    dir = std::string_view(state).substr(0, std::string_view(state).find(':'));
  } else if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    dir = fs::path(xdg) / "circlecdn";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    dir = fs::path(home) / ".local/state/circlecdn";
  } else {
    return {};
  }
  std::error_code ec;
  const auto canonical = fs::weakly_canonical(site, ec);
  const auto tag = content_hash::of(canonical.string()).hex().substr(0, 16);
  return dir / ("hashes-" + tag + ".bin");
}

std::optional<std::string> resolve_hash_cache(const std::string& option, const fs::path& site,
                                              fs::path& out) {
  out.clear();
  if (option == "none") return std::nullopt;
  out = option.empty() ? default_hash_cache(site) : fs::path(option);
  if (out.empty()) return std::nullopt;
  std::error_code ec;
  const auto root = fs::weakly_canonical(site, ec);
  const auto file = fs::weakly_canonical(fs::absolute(out, ec), ec);
  if (!root.empty() && inside(root, file))
    return "--hash-cache " + out.string() + ": must not be inside the served site " + root.string();
  return std::nullopt;
}

}  // namespace circlecdn::cli
