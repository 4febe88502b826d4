#pragma once
// Which names of the site directory are public: shared by the manifest scan and the static origin
// so a file is either listed and served, or neither.
#include <algorithm>
#include <array>
#include <string_view>

namespace circlecdn::manifest {

// Backups and editor files (`index.html~`, `config.php.bak`, `.x.swp`, `a.orig`, `#a#`) are
// copies of files the operator meant to publish, often with what was removed from them (a
// password in an old index.html~). They are private like dotfiles; the extension match ignores
// case (`A.BAK`).
inline bool is_backup_name(std::string_view name) {
  if (name.ends_with('~')) return true;
  if (name.size() >= 2 && name.front() == '#' && name.back() == '#') return true;
  constexpr std::array<std::string_view, 3> extensions{".bak", ".swp", ".orig"};
  return std::any_of(extensions.begin(), extensions.end(), [name](std::string_view ext) {
    if (name.size() <= ext.size()) return false;
    auto tail = name.substr(name.size() - ext.size());
    return std::equal(tail.begin(), tail.end(), ext.begin(), [](char a, char b) {
      return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
    });
  });
}

// Dotfiles and dot-directories (".git", ".env", ".htpasswd") are private: a site directory is often
// a checkout, and leaking its metadata is a classic mistake. ".well-known" stays public because
// RFC 8615 resources (ACME challenges, security.txt) must be reachable.
inline bool is_public_name(std::string_view name) {
  return !name.empty() && (name.front() != '.' || name == ".well-known") && !is_backup_name(name);
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
