#include "origin/accept_encoding.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace circlecdn::origin {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths; nullopt if
// malformed (the member is then ignored).
std::optional<int> parse_q(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return std::nullopt;
  int q = (v[0] - '0') * 1000;
  if (v.size() == 1) return q;
  if (v[1] != '.' || v.size() > 5) return std::nullopt;
  int scale = 100;
  for (std::size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (v[i] < '0' || v[i] > '9') return std::nullopt;
    q += (v[i] - '0') * scale;
  }
  return q > 1000 ? std::nullopt : std::optional<int>(q);
}

}  // namespace

std::string_view coding_name(content_coding c) {
  switch (c) {
    case content_coding::gzip:
      return "gzip";
    case content_coding::br:
      return "br";
    default:
      return "";
  }
}

content_coding choose_coding(std::string_view header) {
  int br = -1, gzip = -1, any = -1, identity = -1;  // q in thousandths, -1 = not named
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto member = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    int q = 1000;
    const auto semi = member.find(';');
    if (semi != std::string_view::npos) {
      auto param = trim(member.substr(semi + 1));
      member = member.substr(0, semi);
      if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
      const auto parsed = parse_q(trim(param.substr(2)));
      if (!parsed) continue;
      q = *parsed;
    }
    member = trim(member);
    if (iequals(member, "br"))
      br = q;
    else if (iequals(member, "gzip") || iequals(member, "x-gzip"))
      gzip = q;
    else if (iequals(member, "identity"))
      identity = q;
    else if (member == "*")
      any = q;
  }
  if (br < 0) br = any;
  if (gzip < 0) gzip = any;
  if (br <= 0 && gzip <= 0) return content_coding::identity;
  if (identity > std::max(br, gzip)) return content_coding::identity;  // preferred outright
  return br >= gzip ? content_coding::br : content_coding::gzip;
}

}  // namespace circlecdn::origin
