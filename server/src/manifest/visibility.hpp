#pragma once
// Which names of the site directory are public: shared by the manifest scan and the static origin
// so a file is either listed and served, or neither.
#include <string_view>

namespace circlecdn::manifest {

// Dotfiles and dot-directories (".git", ".env", ".htpasswd") are private: a site directory is often
// a checkout, and leaking its metadata is a classic mistake. ".well-known" stays public because
// RFC 8615 resources (ACME challenges, security.txt) must be reachable.
inline bool is_public_name(std::string_view name) {
  return !name.empty() && (name.front() != '.' || name == ".well-known");
}

// True when every segment of a normalised URL path ("/a/b.png") is a public name.
inline bool is_public_path(std::string_view url_path) {
  std::size_t pos = 0;
  while (pos < url_path.size()) {
    if (url_path[pos] == '/') {
      ++pos;
      continue;
    }
    auto end = url_path.find('/', pos);
    if (end == std::string_view::npos) end = url_path.size();
    if (!is_public_name(url_path.substr(pos, end - pos))) return false;
    pos = end;
  }
  return true;
}

}  // namespace circlecdn::manifest
