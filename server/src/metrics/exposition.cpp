#include "metrics/exposition.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace circlecdn::metrics {

namespace {

bool valid_name(std::string_view n) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
    out += std::to_string(static_cast<std::int64_t>(v));
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
  }
}

// Label values: backslash, double quote and line feed are escaped (format 0.0.4).
void append_escaped(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

}  // namespace

void exposition::family(std::string_view name, family_type type, std::string_view help) {
  if (!valid_name(name)) throw std::logic_error("metric name: " + std::string(name));
  if (type == family_type::counter && !name.ends_with("_total"))
    throw std::logic_error("counter without _total: " + std::string(name));
  name_ = name;
  type_ = type;
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  for (char c : help) out_ += c == '\n' ? ' ' : c;  // HELP escapes only \ and line feed
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += type == family_type::counter ? " counter\n"
          : type == family_type::gauge ? " gauge\n"
                                       : " histogram\n";
}

void exposition::line(std::string_view suffix, const labels& l, std::string_view extra_label,
                      std::string_view extra_value, double value) {
  out_ += name_;
  out_ += suffix;
  if (!l.empty() || !extra_label.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : l) {
      if (!valid_name(k) || k.starts_with("__")) throw std::logic_error("label: " + std::string(k));
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      append_escaped(out_, v);
      out_ += '"';
    }
    if (!extra_label.empty()) {
      if (!first) out_ += ',';
      out_ += extra_label;
      out_ += "=\"";
      out_ += extra_value;
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  append_number(out_, value);
  out_ += '\n';
}

void exposition::sample(const labels& l, double value) {
  if (type_ == family_type::histogram) throw std::logic_error("sample() on a histogram");
  line({}, l, {}, {}, value);
}

void exposition::series(const labels& l, const histogram& h) {
  if (type_ != family_type::histogram) throw std::logic_error("series() on a non-histogram");
  std::uint64_t cumulative = 0;
  auto bounds = h.bounds();
  auto counts = h.counts();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    std::string le;
    append_number(le, bounds[i]);
    line("_bucket", l, "le", le, static_cast<double>(cumulative));
  }
  line("_bucket", l, "le", "+Inf", static_cast<double>(h.count()));
  line("_sum", l, {}, {}, h.sum());
  line("_count", l, {}, {}, static_cast<double>(h.count()));
}

void exposition::counter(std::string_view name, std::string_view help, double value) {
  family(name, family_type::counter, help);
  sample(value);
}

void exposition::gauge(std::string_view name, std::string_view help, double value) {
  family(name, family_type::gauge, help);
  sample(value);
}

}  // namespace circlecdn::metrics
