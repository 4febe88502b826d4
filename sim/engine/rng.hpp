#pragma once
// The one random number generator: xoshiro256** seeded through splitmix64. Each model draws from
// its own stream (seed, stream) so that a strategy's choices never shift the workload's draws:
// the same seed gives every strategy the same visitors, sessions and requests.
#include <cmath>
#include <cstdint>

namespace circlecdn::sim {

class rng {
 public:
  explicit rng(std::uint64_t seed, std::uint64_t stream = 0) {
    std::uint64_t x = seed ^ (0x9e3779b97f4a7c15ull * (stream + 1));
    for (auto& s : s_) s = splitmix(x);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // [0, 1)
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // (0, 1]
  double uniform_open() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }
  // [0, n), n >= 1; multiply-shift (bias below 2^-32, irrelevant here).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
  }
  double exponential(double mean) { return -mean * std::log(uniform_open()); }
  // Standard normal, Box-Muller (one value per call keeps the stream simple).
  double normal() {
    const double u = uniform_open();
    const double v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4];
};

// A fixed 32-bit mix (murmur3 finaliser), used to place resources on the Chord id ring.
inline std::uint32_t mix32(std::uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

}  // namespace circlecdn::sim
