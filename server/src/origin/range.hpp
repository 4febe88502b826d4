#pragma once
// The Range request header (RFC 9110 §14), reduced to what a static origin needs: one byte range.
#include <cstdint>
#include <string_view>

namespace circlecdn::origin {

enum class range_kind {
  none,           // no usable Range: serve the whole representation (200)
  single,         // one satisfiable range: 206
  unsatisfiable,  // 416 with "Content-Range: bytes */size"
};

struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t length = 0;  // > 0 for range_kind::single
};

struct range_request {
  range_kind kind = range_kind::none;
  byte_range range;
};

// Parses a Range header value against a representation of `size` bytes. Accepted forms:
// "bytes=a-b", "bytes=a-" and "bytes=-n" (whitespace around the parts tolerated, unit
// case-insensitive). Syntax errors, other units and multiple ranges give range_kind::none: the
// RFC lets a server ignore Range, and a full 200 is always correct (a multipart/byteranges body is
// not worth its complexity for a static site; browsers send single ranges).
range_request parse_range(std::string_view header, std::uint64_t size);

}  // namespace circlecdn::origin
