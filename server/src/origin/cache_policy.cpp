#include "origin/cache_policy.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>

namespace circlecdn::origin {

namespace {

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper_alnum(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'Z');
}

bool is_hash_part(std::string_view part) {
  if (part.size() < 8) return false;
  const bool has_digit = std::any_of(part.begin(), part.end(), is_digit);
  const bool has_letter =
      std::any_of(part.begin(), part.end(), [](char c) { return !is_digit(c); });
  if (!has_digit || !has_letter) return false;
  if (std::all_of(part.begin(), part.end(), is_hex)) {
    // One case throughout: a hash is printed in lower or upper case, not mixed like a word.
    const bool lower =
        std::none_of(part.begin(), part.end(), [](char c) { return c >= 'A' && c <= 'F'; });
    const bool upper =
        std::none_of(part.begin(), part.end(), [](char c) { return c >= 'a' && c <= 'f'; });
    return lower || upper;
  }
  return part.size() == 8 && std::all_of(part.begin(), part.end(), is_upper_alnum);
}

}  // namespace

std::optional<cache_rule> parse_cache_rule(std::string_view text, std::string& error) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    error = "expected GLOB=VALUE, e.g. '/assets/*=public, max-age=31536000, immutable'";
    return std::nullopt;
  }
  cache_rule rule{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  if (rule.glob.empty() || (rule.glob.front() != '/' && rule.glob.front() != '*')) {
    error = "the glob must match URL paths: start it with '/' or '*'";
    return std::nullopt;
  }
  if (rule.value.empty() || std::any_of(rule.value.begin(), rule.value.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      })) {
    error = "the value must be a non-empty Cache-Control field value without control characters";
    return std::nullopt;
  }
  return rule;
}

bool is_fingerprinted(std::string_view url_path) {
  auto name = url_path.substr(url_path.rfind('/') + 1);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  name = name.substr(0, dot);  // the extension is never the hash
  while (!name.empty()) {
    const auto sep = name.find_first_of(".-");
    if (is_hash_part(name.substr(0, sep))) return true;
    if (sep == std::string_view::npos) break;
    name.remove_prefix(sep + 1);
  }
  return false;
}

std::string_view cache_policy::for_path(std::string_view url_path) const {
  if (!rules_.empty()) {
    const std::string path(url_path);  // fnmatch needs a terminated string
    for (const auto& rule : rules_)
      if (::fnmatch(rule.glob.c_str(), path.c_str(), 0) == 0) return rule.value;
  }
  return is_fingerprinted(url_path) ? immutable_cache_control : revalidate_cache_control;
}

}  // namespace circlecdn::origin
