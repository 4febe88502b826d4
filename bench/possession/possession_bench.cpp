// The server's cost of one possession challenge: the nonce, one pread of the piece's range from
// the origin's file and SHA-256 over nonce and piece (app/possession_proof.cpp), for a whole
// piece (256 KiB) and a small file (4 KiB). Files are generated in a temporary directory; the
// page cache is warm after the first read, as it is for a site's popular files.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "app/possession_proof.hpp"
#include "signal/challenges.hpp"

using namespace circlecdn;
namespace fs = std::filesystem;

namespace {

struct site {
  fs::path dir;
  std::unique_ptr<manifest::store> store;
  content_hash piece, small;
  site() {
    char tmpl[] = "/tmp/bench_possession.XXXXXX";
    dir = ::mkdtemp(tmpl);
    std::string big(1024 * 1024, '\0'), little(4096, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 251);
    for (std::size_t i = 0; i < little.size(); ++i) little[i] = static_cast<char>(i * 7 % 253);
    std::ofstream(dir / "big.bin", std::ios::binary) << big;
    std::ofstream(dir / "small.bin", std::ios::binary) << little;
    store = std::make_unique<manifest::store>(dir);
    store->rescan();
    piece = store->current()->find("/big.bin")->pieces[1];
    small = store->current()->find("/small.bin")->sha256;
  }
  ~site() { fs::remove_all(dir); }
};

site& the_site() {
  static site s;
  return s;
}

void challenge(benchmark::State& state, const content_hash& h, std::int64_t bytes) {
  app::possession_proof proofs(*the_site().store);
  for (auto _ : state) {
    auto n = signal::nonce::fresh();
    auto expected = proofs(h, n.bytes);
    if (!expected) state.SkipWithError("no proof: the file was not found");
    benchmark::DoNotOptimize(expected);
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}

void BM_challenge_piece_256KiB(benchmark::State& state) {
  challenge(state, the_site().piece, 256 * 1024);
}
void BM_challenge_small_file_4KiB(benchmark::State& state) {
  challenge(state, the_site().small, 4096);
}
BENCHMARK(BM_challenge_piece_256KiB)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_challenge_small_file_4KiB)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
