#include "signal/raw_member.hpp"

namespace circlecdn::signal {

namespace {

constexpr auto npos = std::string_view::npos;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_space(std::string_view t, std::size_t i) {
  while (i < t.size() && is_space(t[i])) ++i;
  return i;
}

// From the opening quote to just past the closing one.
std::size_t skip_string(std::string_view t, std::size_t i) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\')
      ++i;
    else if (t[i] == '"')
      return i + 1;
  }
  return npos;
}

// From a value's first byte to just past its last.
std::size_t skip_value(std::string_view t, std::size_t i) {
  if (i >= t.size()) return npos;
  if (t[i] == '"') return skip_string(t, i);
  if (t[i] == '{' || t[i] == '[') {
    std::size_t depth = 0;
    while (i < t.size()) {
      char c = t[i];
      if (c == '"') {
        i = skip_string(t, i);
        if (i == npos) return npos;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return npos;
  }
  while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && !is_space(t[i])) ++i;
  return i;  // a number or a literal
}

}  // namespace

std::optional<std::string_view> raw_member(std::string_view t, std::string_view key) {
  auto i = skip_space(t, 0);
  if (i >= t.size() || t[i] != '{') return std::nullopt;
  std::optional<std::string_view> found;
  i = skip_space(t, i + 1);
  if (i < t.size() && t[i] == '}') return std::nullopt;
  for (;;) {
    if (i >= t.size() || t[i] != '"') return std::nullopt;
    auto key_end = skip_string(t, i);
    if (key_end == npos) return std::nullopt;
    auto k = t.substr(i + 1, key_end - i - 2);
    if (k.find('\\') != npos) return std::nullopt;
    i = skip_space(t, key_end);
    if (i >= t.size() || t[i] != ':') return std::nullopt;
    i = skip_space(t, i + 1);
    auto value_end = skip_value(t, i);
    if (value_end == npos || value_end == i) return std::nullopt;
    if (k == key) found = t.substr(i, value_end - i);
    i = skip_space(t, value_end);
    if (i >= t.size()) return std::nullopt;
    if (t[i] == '}') return found;
    if (t[i] != ',') return std::nullopt;
    i = skip_space(t, i + 1);
  }
}

}  // namespace circlecdn::signal
