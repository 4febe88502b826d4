#pragma once
// The browser files compiled into the binary (cmake/embed.cmake): the client library and the
// dashboard. The generated file defines embedded_files(); a file not built at configure time (with
// CIRCLECDN_EMBED_PLACEHOLDERS=ON) is present with empty bytes.
#include <span>
#include <string_view>

namespace circlecdn::assets {

struct embedded_file {
  std::string_view name;   // "circlecdn.js", "dashboard.html", ...
  std::string_view bytes;  // static storage: valid for the whole process
};

std::span<const embedded_file> embedded_files();

}  // namespace circlecdn::assets
