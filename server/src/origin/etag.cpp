#include "origin/etag.hpp"

namespace circlecdn::origin {

namespace {

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// etagc = %x21 / %x23-7E / obs-text: anything visible but DQUOTE, and bytes >= 0x80.
bool is_etagc(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

struct parsed_tag {
  bool weak = false;
  std::string_view opaque;  // with its quotes
};

// Reads one entity-tag at the front of s; false when s does not start with one.
bool take_tag(std::string_view& s, parsed_tag& out) {
  out.weak = s.starts_with("W/");
  if (out.weak) s.remove_prefix(2);
  if (s.empty() || s.front() != '"') return false;
  std::size_t end = 1;
  while (end < s.size() && s[end] != '"') {
    if (!is_etagc(s[end])) return false;
    ++end;
  }
  if (end == s.size()) return false;
  out.opaque = s.substr(0, end + 1);
  s.remove_prefix(end + 1);
  return true;
}

parsed_tag split(std::string_view etag) {
  parsed_tag t;
  t.weak = etag.starts_with("W/");
  t.opaque = t.weak ? etag.substr(2) : etag;
  return t;
}

}  // namespace

bool none_match(std::string_view header, std::string_view etag) {
  const auto ours = split(etag);
  for (;;) {
    while (!header.empty() && (is_ows(header.front()) || header.front() == ','))
      header.remove_prefix(1);
    if (header.empty()) return false;
    if (header.front() == '*') return true;
    parsed_tag tag;
    if (!take_tag(header, tag)) return false;
    if (!ours.opaque.empty() && tag.opaque == ours.opaque) return true;
    while (!header.empty() && is_ows(header.front())) header.remove_prefix(1);
    if (!header.empty() && header.front() != ',') return false;
  }
}

bool if_range_matches(std::string_view header, std::string_view etag) {
  auto s = trim(header);
  parsed_tag tag;
  if (!take_tag(s, tag) || !s.empty() || tag.weak) return false;
  const auto ours = split(etag);
  return !ours.weak && !ours.opaque.empty() && tag.opaque == ours.opaque;
}

}  // namespace circlecdn::origin
