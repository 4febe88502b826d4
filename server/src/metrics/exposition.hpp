#pragma once
// Writes the Prometheus text exposition format 0.0.4: per family one HELP and one TYPE line, then
// its samples. Names are checked (a programming error throws), label values escaped.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/histogram.hpp"

namespace circlecdn::metrics {

inline constexpr std::string_view exposition_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

enum class family_type { counter, gauge, histogram };

using labels = std::vector<std::pair<std::string_view, std::string>>;

class exposition {
 public:
  // Starts a family; counters must end in _total. Every sample until the next family belongs to
  // it.
  void family(std::string_view name, family_type type, std::string_view help);
  // A sample of the current counter or gauge family.
  void sample(const labels& l, double value);
  void sample(double value) { sample({}, value); }
  // One histogram series of the current histogram family: _bucket (cumulative, le), _sum, _count.
  void series(const labels& l, const histogram& h);

  // Shorthands: a family with a single unlabelled sample.
  void counter(std::string_view name, std::string_view help, double value);
  void gauge(std::string_view name, std::string_view help, double value);

  const std::string& text() const { return out_; }

 private:
  void line(std::string_view suffix, const labels& l, std::string_view extra_label,
            std::string_view extra_value, double value);

  std::string out_;
  std::string name_;
  family_type type_ = family_type::gauge;
};

}  // namespace circlecdn::metrics
