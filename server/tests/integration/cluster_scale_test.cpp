// Numbers across processes: 10,000 real WebSocket peers spread over three processes join, each
// announces a file, and leave; Redis's keys come back to what the processes alone keep.
#include <sys/resource.h>

#include "cluster_fixture.hpp"

using namespace circlecdn;
using namespace circlecdn::test;
using namespace std::chrono_literals;

namespace {

constexpr int peers = 10'000;
constexpr int process_count = 3;

TEST_F(cluster_test, TenThousandPeersOverThreeProcessesLeaveRedisAtItsBaseline) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < peers + 512)
    GTEST_SKIP() << "needs " << peers + 512 << " descriptors (ulimit -n is " << lim.rlim_cur << ")";
  auto c = start(process_count, {"--peers-per-address", "10000"});  // every peer is 127.0.0.1
  ASSERT_TRUE(eventually([&] { return keys() == baseline(process_count); }));
  auto started_at = std::chrono::steady_clock::now();
  {
    std::vector<std::unique_ptr<ws_client>> clients;
    clients.reserve(peers);
    std::vector<long long> expected(files);
    for (int i = 0; i < peers; ++i) {
      clients.push_back(std::make_unique<ws_client>(c.port(i % process_count)));
      int file = (i / process_count) % files;  // every file on every process
      announce(*clients.back(), file);
      ++expected[file];
    }
    auto joined_in =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
    EXPECT_TRUE(eventually([&] {
      for (int i = 0; i < files; ++i)
        if (holders(i) != expected[i]) return false;
      return true;
    }));
    // Per process: its index of hashes and its holders' inputs; per file: its holders.
    EXPECT_EQ(keys(), baseline(process_count) + 2 * process_count + files);
    auto memory = redis->client().run({"INFO", "memory"});
    std::string info = memory->str;
    auto used = info.substr(info.find("used_memory:") + 12);
    std::printf("%d peers joined in %.1f s over %d processes; Redis used_memory %s bytes\n", peers,
                joined_in, process_count, used.substr(0, used.find('\r')).c_str());
  }
  auto left_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually([&] { return keys() == baseline(process_count); }, 30s));
  std::printf("and Redis was back at its baseline %.1f s after they left\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - left_at).count());
  for (int i = 0; i < files; ++i) EXPECT_EQ(holders(i), 0);
}

}  // namespace
