#pragma once
// The random shapes of the workload: an alias table (O(1) Zipf draws over a large catalogue),
// lognormal sizes and bandwidths, Pareto sessions and their equilibrium residual.
#include <cstdint>
#include <vector>

#include "engine/rng.hpp"

namespace circlecdn::sim {

// Walker/Vose alias method: build O(n), draw O(1) with one uniform index and one coin.
class alias_table {
 public:
  alias_table() = default;
  explicit alias_table(const std::vector<double>& weights);
  std::uint32_t sample(rng& r) const {
    const std::uint32_t i = r.below(static_cast<std::uint32_t>(prob_.size()));
    return r.uniform() < prob_[i] ? i : alias_[i];
  }
  std::size_t size() const { return prob_.size(); }
  double probability(std::uint32_t i) const { return p_[i]; }

 private:
  std::vector<double> prob_;
  std::vector<std::uint32_t> alias_;
  std::vector<double> p_;  // the normalised weights, kept for tests and reports
};

std::vector<double> zipf_weights(std::size_t n, double exponent);
double lognormal(rng& r, double median, double sigma);
// Pareto(min, shape): P(S > s) = (min / s)^shape for s >= min.
double pareto(rng& r, double min, double shape);
// The remaining session of a visitor found on-line at a random instant (length-biased residual
// of Pareto(min, shape)): with probability 1 - 1/shape uniform on [0, min), else Pareto(min,
// shape - 1).
double pareto_residual(rng& r, double min, double shape);
// E[min(S, cap)] for S ~ Pareto(min, shape).
double pareto_mean_capped(double min, double shape, double cap);

}  // namespace circlecdn::sim
