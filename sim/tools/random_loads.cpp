// What a random memory access costs on this machine, the bound on Chord's speed at 10^6 peers
// (docs/simulation.md). Chains of dependent loads through a random cycle over an array of the
// given size (on huge pages, as the simulator's big arrays are), taken one chain at a time or K
// chains in turn, each step doing `work` dependent multiplies (a routing step's own work), with
// or without a prefetch of the chain's next address issued a round ahead. Prints ns per step.
//   sim-random-loads [MiB ...]        (default: 512 2048)
#include <sys/mman.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "engine/rng.hpp"

namespace {

using circlecdn::sim::rng;

double ns_per_step(const std::vector<std::uint32_t>& start, const std::uint64_t* next,
                   unsigned chains, unsigned work, bool prefetch, std::uint64_t& sink) {
  std::uint64_t at[64];
  for (unsigned c = 0; c < chains; ++c) at[c] = start[c];
  const std::size_t steps = 4'000'000 / chains;
  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t acc = 0;
  for (std::size_t s = 0; s < steps; ++s) {
    for (unsigned c = 0; c < chains; ++c) {
      const std::uint64_t v = next[at[c]];
      std::uint64_t x = v;
      for (unsigned w = 0; w < work; ++w) x = x * 6364136223846793005ull + 1442695040888963407ull;
      acc += x;
      at[c] = v;
      if (prefetch) __builtin_prefetch(&next[v]);
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  sink += acc;
  return std::chrono::duration<double, std::nano>(t1 - t0).count() /
         static_cast<double>(steps * chains);
}

void measure(std::size_t mib) {
  const std::size_t n = mib * (std::size_t{1} << 20) / sizeof(std::uint64_t);
  const std::size_t huge = std::size_t{2} << 20;
  auto* next = static_cast<std::uint64_t*>(std::aligned_alloc(huge, n * sizeof(std::uint64_t)));
  if (next == nullptr) {
    std::fprintf(stderr, "cannot allocate %zu MiB\n", mib);
    std::exit(1);
  }
  ::madvise(next, n * sizeof(std::uint64_t), MADV_HUGEPAGE);
  // One random cycle through every element (Sattolo's shuffle), so no chain repeats early.
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
  rng r(1);
  for (std::size_t i = n - 1; i > 0; --i) {
    const std::size_t j = r.next() % i;
    std::swap(order[i], order[j]);
  }
  for (std::size_t i = 0; i < n; ++i) next[order[i]] = order[(i + 1) % n];
  std::vector<std::uint32_t> start(64);
  for (unsigned c = 0; c < 64; ++c) start[c] = order[n / 64 * c];
  std::uint64_t sink = 0;
  std::printf("%zu MiB\n  work  chains  prefetch  ns/step\n", mib);
  for (unsigned work : {0u, 100u}) {
    for (unsigned chains : {1u, 16u, 32u}) {
      for (bool prefetch : {false, true}) {
        std::printf("  %4u  %6u  %8s  %7.1f\n", work, chains, prefetch ? "yes" : "no",
                    ns_per_step(start, next, chains, work, prefetch, sink));
      }
    }
  }
  std::printf("  (checksum %llu)\n", static_cast<unsigned long long>(sink & 0xff));
  std::free(next);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::stoul(argv[i]));
  if (sizes.empty()) sizes = {512, 2048};
  for (std::size_t mib : sizes) measure(mib);
}
