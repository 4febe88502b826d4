#include "origin/range.hpp"

#include <limits>
#include <optional>

namespace circlecdn::origin {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Decimal digits only; values past 2^64-1 saturate (a huge first byte is simply unsatisfiable,
// a huge last byte is clamped to the end of the file).
std::optional<std::uint64_t> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    v = v > (max - d) / 10 ? max : v * 10 + d;
  }
  return v;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

range_request parse_range(std::string_view header, std::uint64_t size) {
  const range_request none{};
  header = trim(header);
  const auto eq = header.find('=');
  if (eq == std::string_view::npos || !iequals(trim(header.substr(0, eq)), "bytes")) return none;
  const auto spec = trim(header.substr(eq + 1));
  if (spec.find(',') != std::string_view::npos) return none;  // multiple ranges: full 200
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return none;
  const auto first_text = trim(spec.substr(0, dash));
  const auto last_text = trim(spec.substr(dash + 1));
  const range_request unsatisfiable{range_kind::unsatisfiable, {}};

  if (first_text.empty()) {  // suffix range "-n": the last n bytes
    const auto n = parse_number(last_text);
    if (!n) return none;
    if (*n == 0 || size == 0) return unsatisfiable;
    const auto length = *n < size ? *n : size;
    return {range_kind::single, {size - length, length}};
  }
  const auto first = parse_number(first_text);
  if (!first) return none;
  std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
  if (!last_text.empty()) {
    const auto parsed = parse_number(last_text);
    if (!parsed || *parsed < *first) return none;  // "5-2" is invalid, hence ignored
    last = *parsed;
  }
  if (*first >= size) return unsatisfiable;
  if (last >= size) last = size - 1;
  return {range_kind::single, {*first, last - *first + 1}};
}

}  // namespace circlecdn::origin
