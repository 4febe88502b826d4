#pragma once
// The command-line options (and [serve] TOML keys) of the origin's caching: --cache-control
// GLOB=VALUE (repeatable, first match wins) and --hash-cache FILE (where file hashes persist
// across restarts). Kept apart from main.cpp so each part's options stay with that part.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace circlecdn::cli {

class origin_options {
 public:
  void add(CLI::App& serve);
  // After parsing: fills cfg.cache_control and cfg.hash_cache (the default location unless given;
  // empty for `none`). Returns a message naming the option at fault, or nullopt.
  std::optional<std::string> finish(app::config& cfg) const;

 private:
  std::vector<std::string> cache_control_;
  std::string hash_cache_;
};

// Where the hash cache of `site` lives by default: $STATE_DIRECTORY (systemd's StateDirectory=),
// else $XDG_STATE_HOME/circlecdn, else ~/.local/state/circlecdn; named after the site's path, so
// two sites never share one. Empty when none of these is known.
std::filesystem::path default_hash_cache(const std::filesystem::path& site);

}  // namespace circlecdn::cli
