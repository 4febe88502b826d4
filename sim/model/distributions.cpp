#include "model/distributions.hpp"

#include <cmath>

namespace circlecdn::sim {

alias_table::alias_table(const std::vector<double>& weights)
    : prob_(weights.size()), alias_(weights.size()), p_(weights.size()) {
  const std::size_t n = weights.size();
  double total = 0;
  for (double w : weights) total += w;
  std::vector<double> scaled(n);
  std::vector<std::uint32_t> small;
  std::vector<std::uint32_t> large;
  for (std::size_t i = 0; i < n; ++i) {
    p_[i] = weights[i] / total;
    scaled[i] = p_[i] * static_cast<double>(n);
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const std::uint32_t s = small.back();
    small.pop_back();
    const std::uint32_t l = large.back();
    prob_[s] = scaled[s];
    alias_[s] = l;
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (std::uint32_t i : large) {
    prob_[i] = 1.0;
    alias_[i] = i;
  }
  for (std::uint32_t i : small) {  // only rounding leftovers
    prob_[i] = 1.0;
    alias_[i] = i;
  }
}

std::vector<double> zipf_weights(std::size_t n, double exponent) {
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = std::pow(static_cast<double>(i + 1), -exponent);
  return w;
}

double lognormal(rng& r, double median, double sigma) {
  return median * std::exp(sigma * r.normal());
}

double pareto(rng& r, double min, double shape) {
  return min * std::pow(r.uniform_open(), -1.0 / shape);
}

double pareto_residual(rng& r, double min, double shape) {
  if (r.uniform() >= 1.0 / shape) return r.uniform() * min;
  return min * std::pow(r.uniform_open(), -1.0 / (shape - 1.0));
}

double pareto_mean_capped(double min, double shape, double cap) {
  if (cap <= min) return cap;
  return min + std::pow(min, shape) * (std::pow(cap, 1.0 - shape) - std::pow(min, 1.0 - shape)) /
                   (1.0 - shape);
}

}  // namespace circlecdn::sim
