#include "cli/origin_options.hpp"

#include <cstdlib>

#include "core/content_hash.hpp"
#include "origin/cache_policy.hpp"

namespace circlecdn::cli {

namespace fs = std::filesystem;

namespace {

bool inside(const fs::path& root, const fs::path& p) {
  auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  return r == root.end();
}

}  // namespace

void origin_options::add(CLI::App& serve) {
  serve
      .add_option("--cache-control", cache_control_,
                  "GLOB=VALUE: Cache-Control for URL paths matching GLOB (repeatable, first match "
                  "wins; default: immutable for fingerprinted names, no-cache otherwise)")
      ->allow_extra_args(false);
  serve.add_option("--hash-cache", hash_cache_,
                   "FILE where file hashes persist across restarts, or 'none' (default: "
                   "$STATE_DIRECTORY, $XDG_STATE_HOME/circlecdn or ~/.local/state/circlecdn)");
}

std::optional<std::string> origin_options::finish(app::config& cfg) const {
  for (const auto& text : cache_control_) {
    std::string error;
    auto rule = origin::parse_cache_rule(text, error);
    if (!rule) return "--cache-control '" + text + "': " + error;
    cfg.cache_control.push_back(std::move(*rule));
  }
  if (hash_cache_ == "none") {
    cfg.hash_cache.clear();
    return std::nullopt;
  }
  cfg.hash_cache = hash_cache_.empty() ? default_hash_cache(cfg.site) : fs::path(hash_cache_);
  if (cfg.hash_cache.empty()) return std::nullopt;
  std::error_code ec;
  const auto site = fs::weakly_canonical(cfg.site, ec);
  const auto file = fs::weakly_canonical(fs::absolute(cfg.hash_cache, ec), ec);
  // The site is public: a cache file inside it would be served, and its writes would wake the
  // watcher that then rewrites it.
  if (!site.empty() && inside(site, file))
    return "--hash-cache " + cfg.hash_cache.string() + ": must not be inside the served site " +
           site.string();
  return std::nullopt;
}

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

}  // namespace circlecdn::cli
