#pragma once
// Which Cache-Control each file gets (--cache-control GLOB=VALUE, repeatable; `cache_control` in
// the config file). Rules are tried in order, first match wins; globs cover the whole URL path
// with fnmatch(3) rules and no FNM_PATHNAME (`*` also matches `/`), as --crowd-include does.
// Without a matching rule: fingerprinted names (app.3f9a2b7c.js) are immutable for a year,
// everything else, HTML included, is `no-cache`: stored, but revalidated with ETag (the content
// hash) or Last-Modified before each use.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace circlecdn::origin {

inline constexpr std::string_view immutable_cache_control = "public, max-age=31536000, immutable";
inline constexpr std::string_view revalidate_cache_control = "no-cache";
// A response carrying Set-Cookie (the visitor cookie on a first HTML answer) must not be stored
// by a shared cache; the browser may keep it like any other.
inline constexpr std::string_view private_cache_control = "private, no-cache";

struct cache_rule {
  std::string glob;   // "/assets/*", "*.html"
  std::string value;  // the Cache-Control field value, sent as written
};

// Parses "GLOB=VALUE" (split at the first '='). nullopt with `error` set when the glob is empty,
// does not start with '/' or '*', or the value is empty or holds a control character.
std::optional<cache_rule> parse_cache_rule(std::string_view text, std::string& error);

// A hex run of at least 8 characters with a digit and a letter (app.3f9a2b7c.js, a webpack or
// vite contenthash), or 8 characters of esbuild's [A-Z0-9] with both (chunk-5KQ2ZJ7N.js), as a
// '.'- or '-'-separated part of the file name other than its extension. A date (20240101) or a
// word (database) is not a fingerprint.
bool is_fingerprinted(std::string_view url_path);

class cache_policy {
 public:
  cache_policy() = default;
  explicit cache_policy(std::vector<cache_rule> rules) : rules_(std::move(rules)) {}
  std::string_view for_path(std::string_view url_path) const;

 private:
  std::vector<cache_rule> rules_;
};

}  // namespace circlecdn::origin
