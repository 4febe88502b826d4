#pragma once
// How an option row is built: one factory per kind of value (integer in a range, text with a
// check, repeatable list, switch) plus the checks several rows share. Only cli/options.cpp uses it.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <type_traits>

#include "cli/options.hpp"
#include "core/net.hpp"

namespace circlecdn::cli::detail {

inline option_spec named(std::string name, std::string value_name, std::string help,
                         std::string range) {
  option_spec s;
  s.name = std::move(name);
  s.value_name = std::move(value_name);
  s.help = std::move(help);
  s.range = std::move(range);
  return s;
}

inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

inline std::string expected(const std::string& range, const std::string& got) {
  return "expected " + range + ", got \"" + got + "\"";
}

// A whole decimal integer (a sign allowed, so "-5" reads as -5 and is refused by its range).
inline std::optional<long long> whole(const std::string& text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

// An integer option in [min, max]; `field` gives the config member (any integer type or a
// std::chrono duration, whose count() is the number).
template <class Get>
option_spec integer(std::string name, std::string value_name, std::string help, bool live,
                    long long min, long long max, Get get, std::string range = "") {
  if (range.empty()) range = std::to_string(min) + ".." + std::to_string(max);
  option_spec s = named(std::move(name), std::move(value_name), std::move(help), range);
  s.live = live;
  s.set = [get, min, max, range](const option_value& v,
                                 app::config& c) -> std::optional<std::string> {
    auto n = whole(v.values.back());
    if (!n || *n < min || *n > max) return expected(range, v.values.back());
    auto& f = get(c);
    using T = std::remove_reference_t<decltype(f)>;
    if constexpr (std::is_arithmetic_v<T>)
      f = static_cast<T>(*n);
    else
      f = T(*n);
    return std::nullopt;
  };
  s.show = [get](const app::config& c) {
    const auto& f = get(const_cast<app::config&>(c));
    using T = std::remove_cvref_t<decltype(f)>;
    if constexpr (std::is_floating_point_v<T>)
      return std::to_string(static_cast<long long>(f));  // only whole values are accepted
    else if constexpr (std::is_arithmetic_v<T>)
      return std::to_string(f);
    else
      return std::to_string(f.count());
  };
  s.copy = [get](const app::config& from, app::config& to) {
    get(to) = get(const_cast<app::config&>(from));
  };
  return s;
}

// A text option; `check` says what is wrong with a value, if anything.
template <class Get>
option_spec text(std::string name, std::string value_name, std::string help, bool live,
                 std::string range, Get get,
                 std::function<std::optional<std::string>(const std::string&)> check = {}) {
  option_spec s = named(std::move(name), std::move(value_name), std::move(help), std::move(range));
  s.live = live;
  s.set = [get, check](const option_value& v, app::config& c) -> std::optional<std::string> {
    if (check)
      if (auto p = check(v.values.back())) return p;
    get(c) = v.values.back();
    return std::nullopt;
  };
  s.show = [get](const app::config& c) { return std::string(get(const_cast<app::config&>(c))); };
  s.copy = [get](const app::config& from, app::config& to) {
    get(to) = get(const_cast<app::config&>(from));
  };
  return s;
}

// A repeatable option (a TOML array); `check` looks at each value, `fix` may rewrite it.
template <class Get>
option_spec list(std::string name, std::string value_name, std::string help, bool live,
                 std::string range, Get get,
                 std::function<std::optional<std::string>(std::string&)> check = {}) {
  option_spec s = named(std::move(name), std::move(value_name), std::move(help), std::move(range));
  s.kind = option_kind::list;
  s.live = live;
  s.set = [get, check](const option_value& v, app::config& c) -> std::optional<std::string> {
    std::vector<std::string> values = v.values;
    if (check)
      for (auto& x : values)
        if (auto p = check(x)) return p;
    get(c) = std::move(values);
    return std::nullopt;
  };
  s.show = [get](const app::config& c) { return join(get(const_cast<app::config&>(c))); };
  s.copy = [get](const app::config& from, app::config& to) {
    get(to) = get(const_cast<app::config&>(from));
  };
  return s;
}

template <class Get>
option_spec flag(std::string name, std::string help, bool live, Get get) {
  option_spec s = named(std::move(name), "", std::move(help), "true|false");
  s.kind = option_kind::flag;
  s.live = live;
  s.set = [get](const option_value& v, app::config& c) -> std::optional<std::string> {
    get(c) = v.flag;
    return std::nullopt;
  };
  s.show = [get](const app::config& c) {
    return std::string(get(const_cast<app::config&>(c)) ? "true" : "false");
  };
  s.copy = [get](const app::config& from, app::config& to) {
    get(to) = get(const_cast<app::config&>(from));
  };
  return s;
}

inline std::function<std::optional<std::string>(const std::string&)> one_of(
    std::vector<std::string> allowed) {
  return [allowed](const std::string& v) -> std::optional<std::string> {
    for (const auto& a : allowed)
      if (v == a) return std::nullopt;
    std::string range;
    for (const auto& a : allowed) range += (range.empty() ? "" : "|") + a;
    return expected(range, v);
  };
}

// "ADDR:PORT" or "[V6]:PORT" with an IP address and a port 0..65535.
inline std::optional<std::pair<std::string, std::uint16_t>> address_port(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  auto port = whole(text.substr(colon + 1));
  if (ec || !port || *port < 0 || *port > 65535 || text.substr(colon + 1).starts_with('+'))
    return std::nullopt;
  return std::pair{host, static_cast<std::uint16_t>(*port)};
}

inline std::optional<std::string> existing_directory(const std::string& v) {
  std::error_code ec;
  if (!std::filesystem::is_directory(v, ec)) return expected("an existing directory", v);
  return std::nullopt;
}

inline std::optional<std::string> readable_file(const std::string& v) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(v, ec)) return expected("an existing file", v);
  return std::nullopt;
}

// A file the server can append to: an existing writable file, or a new one in a writable
// directory ("-" and "" need nothing).
inline std::optional<std::string> writable_file(const std::string& v) {
  if (v.empty() || v == "-") return std::nullopt;
  std::error_code ec;
  std::filesystem::path p(v);
  if (std::filesystem::exists(p, ec)) {
    if (std::filesystem::is_directory(p, ec) || ::access(v.c_str(), W_OK) != 0)
      return expected("a file it may write, - or empty", v);
    return std::nullopt;
  }
  auto dir = p.parent_path().empty() ? std::filesystem::path(".") : p.parent_path();
  if (!std::filesystem::is_directory(dir, ec) || ::access(dir.c_str(), W_OK) != 0)
    return expected("a file in a writable directory, - or empty", v);
  return std::nullopt;
}

}  // namespace circlecdn::cli::detail
