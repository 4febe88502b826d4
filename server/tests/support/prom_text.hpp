#pragma once
// A strict reader of the Prometheus text exposition format 0.0.4, for tests: it throws on anything
// the format (or our own naming rules: circlecdn_ prefix, counters ending in _total, HELP and TYPE
// before every family's samples) does not allow, and returns every sample by series. Also runs
// Debian's promtool on a text when it is installed.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace circlecdn::test {

struct prom_scrape {
  std::map<std::string, std::string> types;  // family -> counter | gauge | histogram
  std::map<std::string, double> samples;     // `name{a="x",b="y"}` (labels sorted) -> value

  // A sample's value; throws when the series is missing.
  double at(const std::string& series) const {
    auto it = samples.find(series);
    if (it == samples.end()) throw std::out_of_range("no series " + series);
    return it->second;
  }
};

namespace detail {

inline bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

inline std::string read_name(std::string_view& s) {
  std::size_t i = 0;
  while (i < s.size() && name_char(s[i], i == 0)) ++i;
  if (i == 0) throw std::runtime_error("expected a name at: " + std::string(s));
  std::string n(s.substr(0, i));
  s.remove_prefix(i);
  return n;
}

inline double read_value(std::string_view s) {
  if (s == "+Inf") return INFINITY;
  if (s == "-Inf") return -INFINITY;
  if (s == "NaN") return NAN;
  std::string text(s);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') throw std::runtime_error("bad value: " + text);
  return v;
}

}  // namespace detail

inline prom_scrape parse_prom_text(const std::string& text) {
  using namespace detail;
  prom_scrape out;
  if (text.empty() || text.back() != '\n') throw std::runtime_error("must end with a line feed");
  std::set<std::string> helped, closed;
  std::string current;  // the family whose samples come now
  // Histogram checks: per series without `le`, the buckets seen so far.
  struct hist_series {
    double last_le = -INFINITY, last_count = 0;
    bool inf = false;
  };
  std::map<std::string, hist_series> hists;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::string_view s = line;
    if (s.empty()) throw std::runtime_error("empty line");
    if (s.starts_with("# HELP ") || s.starts_with("# TYPE ")) {
      bool help = s[2] == 'H';
      s.remove_prefix(7);
      auto name = read_name(s);
      if (s.empty() || s[0] != ' ') throw std::runtime_error("no text after " + name);
      s.remove_prefix(1);
      if (!name.starts_with("circlecdn_")) throw std::runtime_error("not circlecdn_*: " + name);
      if (closed.contains(name)) throw std::runtime_error("family repeated: " + name);
      if (help) {
        if (!helped.insert(name).second) throw std::runtime_error("two HELP for " + name);
        if (!current.empty() && current != name) closed.insert(current);
        current = name;
      } else {
        if (!helped.contains(name) || current != name)
          throw std::runtime_error("TYPE without HELP first: " + name);
        if (out.types.contains(name)) throw std::runtime_error("two TYPE for " + name);
        if (s != "counter" && s != "gauge" && s != "histogram")
          throw std::runtime_error("type " + std::string(s) + " for " + name);
        if (s == "counter" && !name.ends_with("_total"))
          throw std::runtime_error("counter without _total: " + name);
        out.types[name] = std::string(s);
      }
      continue;
    }
    if (s.starts_with("#")) throw std::runtime_error("stray comment: " + line);
    auto name = read_name(s);
    std::string family = name;
    const std::string type = out.types.contains(current) ? out.types[current] : "";
    if (type == "histogram")
      for (std::string_view suffix : {"_bucket", "_sum", "_count"})
        if (name.size() > suffix.size() && name.ends_with(suffix) &&
            name.substr(0, name.size() - suffix.size()) == current)
          family = current;
    if (family != current || type.empty())
      throw std::runtime_error("sample outside its family (no HELP/TYPE): " + line);
    std::map<std::string, std::string> labels;
    if (!s.empty() && s[0] == '{') {
      s.remove_prefix(1);
      while (!s.empty() && s[0] != '}') {
        auto key = read_name(s);
        if (s.size() < 2 || s[0] != '=' || s[1] != '"') throw std::runtime_error("label: " + line);
        s.remove_prefix(2);
        std::string value;
        for (;;) {
          if (s.empty()) throw std::runtime_error("unterminated label value: " + line);
          char c = s[0];
          s.remove_prefix(1);
          if (c == '"') break;
          if (c == '\\') {
            if (s.empty()) throw std::runtime_error("bad escape: " + line);
            char e = s[0];
            s.remove_prefix(1);
            if (e == 'n')
              value += '\n';
            else if (e == '\\' || e == '"')
              value += e;
            else
              throw std::runtime_error("bad escape: " + line);
          } else {
            value += c;
          }
        }
        if (!labels.emplace(key, value).second) throw std::runtime_error("label twice: " + line);
        if (!s.empty() && s[0] == ',') s.remove_prefix(1);
      }
      if (s.empty()) throw std::runtime_error("unterminated labels: " + line);
      s.remove_prefix(1);
    }
    if (s.empty() || s[0] != ' ') throw std::runtime_error("no value: " + line);
    s.remove_prefix(1);
    double value = read_value(s.substr(0, s.find(' ')));
    std::string series = name;
    std::string rest;
    for (auto& [k, v] : labels) rest += (rest.empty() ? "" : ",") + k + "=\"" + v + "\"";
    if (!labels.empty()) series += "{" + rest + "}";
    if (!out.samples.emplace(series, value).second)
      throw std::runtime_error("series twice: " + series);
    if (type == "histogram") {
      auto le = labels.find("le");
      std::string key;
      for (auto& [k, v] : labels)
        if (k != "le") key += k + "=" + v + ",";
      auto& h = hists[current + "{" + key + "}"];
      if (name.ends_with("_bucket")) {
        if (le == labels.end()) throw std::runtime_error("bucket without le: " + line);
        double bound = read_value(le->second);
        if (bound <= h.last_le) throw std::runtime_error("le not increasing: " + line);
        if (value < h.last_count) throw std::runtime_error("buckets not cumulative: " + line);
        h.last_le = bound;
        h.last_count = value;
        h.inf = std::isinf(bound);
      } else if (name.ends_with("_count")) {
        if (!h.inf || value != h.last_count)
          throw std::runtime_error("_count differs from the +Inf bucket: " + line);
      }
    } else if (type == "counter" && value < 0) {
      throw std::runtime_error("negative counter: " + line);
    }
  }
  for (auto& [family, type] : out.types)
    if (!helped.contains(family)) throw std::runtime_error("TYPE without HELP: " + family);
  for (auto& family : helped)
    if (!out.types.contains(family)) throw std::runtime_error("HELP without TYPE: " + family);
  return out;
}

// Runs `promtool check metrics` on the text: nullopt when promtool is not installed, else its exit
// status (0 = clean) with its output.
inline std::optional<std::pair<int, std::string>> promtool_check(const std::string& text) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) return std::nullopt;
  char name[] = "/tmp/circlecdn-metrics-XXXXXX";
  int fd = ::mkstemp(name);
  if (fd < 0) throw std::runtime_error("mkstemp");
  ::close(fd);
  std::ofstream(name) << text;
  std::string cmd = std::string("promtool check metrics < ") + name + " 2>&1";
  std::string output;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[512];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  int status = ::pclose(p);
  std::remove(name);
  return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace circlecdn::test
