#pragma once
// Content-Type by file extension, for the types a static site actually ships.
#include <string_view>

namespace circlecdn::origin {

inline constexpr std::string_view default_mime_type = "application/octet-stream";

// The MIME type for a path's extension (case-insensitive); default_mime_type when unknown.
// Text types carry "; charset=utf-8" so browsers never guess.
std::string_view mime_type(std::string_view path);

}  // namespace circlecdn::origin
