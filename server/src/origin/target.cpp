// Request-target normalisation. The policy (see docs/origin.md):
//  - only origin-form targets ("/..."); the query is dropped, a fragment is refused;
//  - every segment is percent-decoded exactly once, per segment, so an encoded '/' can never
//    create a new segment and a "%252e" stays the literal "%2e";
//  - climbing is refused outright (403), never "resolved": a ".." segment, a segment that decodes
//    to "." or ".." from escapes, an encoded '/' or '\', a raw '\';
//  - empty segments ("//") and literal "." segments are dropped, as every browser does before it
//    sends; a trailing slash is kept because it tells a directory URL from a file URL.
#include "origin/target.hpp"

#include <optional>

namespace circlecdn::origin {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_control(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

// Characters that may not appear raw in a path: controls and space (RFC 3986 has no place for
// them), '#' (a fragment is never sent by a user agent), '"', '<', '>' and friends are tolerated
// because some clients send them unescaped and they are harmless in a file name.
bool is_bad_raw(unsigned char c) {
  return is_control(c) || c == ' ' || c == '#';
}

// Decodes one raw segment into out. Returns an error for bad escapes or escaped bytes that are
// not allowed in a file name.
std::optional<target_error> decode_segment(std::string_view raw, std::string& out) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c == '\\') return target_error::forbidden;
    if (is_bad_raw(c)) return target_error::bad_request;
    if (c != '%') {
      out.push_back(static_cast<char>(c));
      continue;
    }
    if (i + 2 >= raw.size()) return target_error::bad_request;  // truncated escape
    const int hi = hex_digit(raw[i + 1]);
    const int lo = hex_digit(raw[i + 2]);
    if (hi < 0 || lo < 0) return target_error::bad_request;
    const auto decoded = static_cast<unsigned char>(hi << 4 | lo);
    if (decoded == '/' || decoded == '\\') return target_error::forbidden;
    if (is_control(decoded)) return target_error::bad_request;
    out.push_back(static_cast<char>(decoded));
    i += 2;
  }
  return std::nullopt;
}

}  // namespace

std::variant<std::string, target_error> normalise_target(std::string_view target) {
  if (target.size() > max_target_bytes) return target_error::uri_too_long;
  // Absolute-form ("http://host/..."), authority-form and asterisk-form never name a site file.
  if (target.empty() || target.front() != '/') return target_error::bad_request;

  std::string_view path = target.substr(0, target.find('?'));

  std::string out;
  out.reserve(path.size());
  std::string segment;
  bool trailing_slash = false;
  std::size_t pos = 1;  // past the leading '/'
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view raw = path.substr(pos, end - pos);
    pos = end + 1;
    const bool last = end == path.size();

    segment.clear();
    if (auto err = decode_segment(raw, segment)) return *err;
    const bool escaped = raw.find('%') != std::string_view::npos;
    if (segment == "..") return target_error::forbidden;
    if (segment == "." && escaped) return target_error::forbidden;
    if (segment.empty() || segment == ".") {
      // "//" and "/./" name the same directory; at the end they still mean "a directory".
      if (last) trailing_slash = true;
      continue;
    }
    out.push_back('/');
    out += segment;
    trailing_slash = false;
  }
  if (out.empty() || trailing_slash) out.push_back('/');
  return out;
}

}  // namespace circlecdn::origin
