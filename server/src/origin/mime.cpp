#include "origin/mime.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace circlecdn::origin {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 24> types{{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},  // RFC 9239
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"svg", "image/svg+xml"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},  // what browsers accept everywhere; vnd.microsoft.icon is rarer
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},
    {"wasm", "application/wasm"},  // required for WebAssembly.instantiateStreaming
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml"},
    {"pdf", "application/pdf"},
}};

constexpr std::size_t longest_extension = 5;

}  // namespace

std::string_view mime_type(std::string_view path) {
  const auto slash = path.rfind('/');
  const auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return default_mime_type;  // ".bashrc" has none
  const auto ext = name.substr(dot + 1);
  if (ext.empty() || ext.size() > longest_extension) return default_mime_type;
  std::string lower(ext);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [e, type] : types)
    if (e == lower) return type;
  return default_mime_type;
}

}  // namespace circlecdn::origin
