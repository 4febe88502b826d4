#pragma once
// Where --hash-cache keeps the site's file hashes between restarts (docs/operations.md,
// "Restarts"): the operator's file, `none`, or by default a file per site under the state
// directory ($STATE_DIRECTORY from systemd's StateDirectory=, else $XDG_STATE_HOME/circlecdn, else
// ~/.local/state/circlecdn). Never inside the served site: it would be public, and its writes would
// wake the watcher that then rewrites it.
#include <filesystem>
#include <optional>
#include <string>

namespace circlecdn::cli {

// The default file for `site`, or empty when no state directory can be found.
std::filesystem::path default_hash_cache(const std::filesystem::path& site);

// Turns the option's text ("" = default, "none", or a path) into the file to use (empty = none);
// returns the problem when it would sit inside the site.
std::optional<std::string> resolve_hash_cache(const std::string& option,
                                              const std::filesystem::path& site,
                                              std::filesystem::path& out);

}  // namespace circlecdn::cli
