// Many processes, one crowd: the real binary several times with --redis, a real redis-server
// started by the test on a free loopback port, real WebSocket clients. What each process keeps
// in Redis (presence, holdings, peer counts), a crash, a Redis outage, a hostile peer, and the
// keys returning to their baseline.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "core/content_hash.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/ws_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;
using namespace std::chrono_literals;

namespace {

// cluster/crowd_mirror.hpp: presence expires after 6 s, the janitor runs every 2 s heartbeat.
constexpr auto expiry_bound = 6s + 2s;
// Polls are safety nets: a condition that does not come true within this fails the test.
constexpr auto patience = 20s;

std::string content(int i) {
  return "cluster file " + std::to_string(i) + "\n";
}
std::string hash(int i) {
  return content_hash::of(content(i)).hex();
}

bool eventually(const std::function<bool()>& ok, std::chrono::milliseconds within = patience) {
  auto until = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < until) {
    if (ok()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return ok();
}

struct cluster_test : ::testing::Test {
  static constexpr int files = 20;
  temp_dir dir;
  std::unique_ptr<redis_server> redis;
  int started = 0;

  void SetUp() override {
    if (!redis_server_available())
      GTEST_SKIP() << "redis-server is not installed (scripts/install-deps.sh installs it): the "
                      "cluster tests need a real Redis";
    redis = std::make_unique<redis_server>(dir.path() / "redis.log");
    std::filesystem::create_directories(dir.path() / "site");
    for (int i = 0; i < files; ++i)
      std::ofstream(dir.path() / "site" / ("f" + std::to_string(i) + ".txt")) << content(i);
  }

  std::unique_ptr<child_server> process() {
    auto log = dir.path() / ("process" + std::to_string(++started) + ".log");
    return std::make_unique<child_server>(
        CIRCLECDN_BIN, dir.path() / "site",
        std::vector<std::string>{"--listen", "127.0.0.1:0", "--redis", redis->url(),
                                 "--operator-token", operator_token, "--hash-cache", "none",
                                 "--challenge-rate", "0", "--log-level", "info"},
        log);
  }
  std::vector<std::string> processes() {
    return redis->client().strings({"SMEMBERS", "circlecdn:procs"});
  }
  long long keys() { return redis->client().integer({"DBSIZE"}); }
  long long holders(int i) {
    return redis->client().integer({"HLEN", "circlecdn:holders:" + hash(i)});
  }
  bool holds(const std::string& proc, int i) {
    return redis->client().integer({"HEXISTS", "circlecdn:holders:" + hash(i), proc}) == 1;
  }
  // Waits until n processes are present; returns the one that joined last (not in `before`).
  std::string joined(std::size_t n, const std::vector<std::string>& before = {}) {
    EXPECT_TRUE(eventually([&] { return processes().size() == n; }));
    for (auto& p : processes())
      if (std::find(before.begin(), before.end(), p) == before.end()) return p;
    return {};
  }
  static void announce(ws_client& c, int i) {
    c.send(R"({"type":"announce","have":[")" + hash(i) + R"("]})");
  }
  static double metric(std::uint16_t port, const std::string& name) {
    auto body = get(port, "/metrics", operator_auth()).body();
    auto at = body.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(body.substr(at + name.size() + 2));
  }
};

TEST_F(cluster_test, EachProcessesHoldingsReachRedisAndLeaveWithItsPeers) {
  auto p1 = process();
  auto id1 = joined(1);
  auto p2 = process();
  auto id2 = joined(2, {id1});
  ASSERT_TRUE(eventually([&] { return keys() == 4; }));  // 2 presence keys, procs, peers
  auto baseline = keys();
  {
    ws_client a(p1->port), b(p2->port), b2(p2->port);
    announce(a, 0);
    announce(b, 0);
    announce(b, 1);
    announce(b2, 1);  // a second holder on the same process: still one field
    EXPECT_TRUE(eventually([&] { return holders(0) == 2 && holders(1) == 1; }));
    EXPECT_TRUE(holds(id1, 0) && holds(id2, 0) && holds(id2, 1) && !holds(id1, 1));
    EXPECT_TRUE(
        eventually([&] { return metric(p1->port, "circlecdn_cluster_peers_online") == 3; }));
    EXPECT_EQ(metric(p1->port, "circlecdn_cluster_processes"), 2);
    b.close();
    EXPECT_TRUE(eventually([&] { return holders(0) == 1; }));
    EXPECT_EQ(holders(1), 1);  // b2 still holds it
  }
  EXPECT_TRUE(eventually([&] { return keys() == baseline; }));
  EXPECT_EQ(holders(0), 0);
}

// A process killed without a word leaves its entries in Redis until its presence expires; then
// the janitor of any other process removes them.
TEST_F(cluster_test, ASigkilledProcessesHoldingsVanishWithinTheExpiry) {
  auto p1 = process();
  auto id1 = joined(1);
  auto p2 = process();
  joined(2, {id1});
  ws_client a(p1->port);
  announce(a, 3);
  ASSERT_TRUE(eventually([&] { return holds(id1, 3); }));
  auto killed_at = std::chrono::steady_clock::now();
  ::kill(p1->pid, SIGKILL);
  p1->wait();
  EXPECT_TRUE(eventually([&] { return !holds(id1, 3) && processes().size() == 1; },
                         std::chrono::duration_cast<std::chrono::milliseconds>(expiry_bound + 4s)));
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  std::printf("a SIGKILLed process's holdings left Redis after %.1f s (bound %lld s)\n", took,
              static_cast<long long>(std::chrono::seconds(expiry_bound).count()));
  EXPECT_EQ(metric(p2->port, "circlecdn_cluster_processes_expired_total"), 1);
  EXPECT_EQ(keys(), 3);  // the survivor's presence, procs, peers
}

// Redis goes away: the process keeps pairing its own peers and says so in /metrics and its log;
// Redis comes back empty and the process joins again with everything its peers hold.
TEST_F(cluster_test, RedisStoppedAndRestartedMidTest) {
  auto p1 = process();
  auto id1 = joined(1);
  ws_client holder(p1->port), wanter(p1->port);
  announce(holder, 5);
  ASSERT_TRUE(eventually([&] { return holds(id1, 5); }));

  redis->stop();
  EXPECT_TRUE(eventually([&] { return metric(p1->port, "circlecdn_redis_up") == 0; }));
  EXPECT_TRUE(wait_for_text(dir.path() / "process1.log", "event=redis_down"));
  wanter.send(R"({"type":"want","id":1,"hash":")" + hash(5) + R"("})");
  auto match = wanter.read_type("match");
  EXPECT_EQ(match["peer"].as_string(), holder.peer());
  EXPECT_EQ(holder.read_type("push")["peer"].as_string(), wanter.peer());
  wanter.send(R"({"type":"signal","to":")" + holder.peer() + R"(","data":{"sdp":"offer"}})");
  EXPECT_EQ(holder.read_type("signal")["from"].as_string(), wanter.peer());
  announce(wanter, 6);  // while down: sent on rejoining

  redis->start();  // empty: no persistence
  EXPECT_TRUE(eventually([&] { return holds(id1, 5) && holds(id1, 6); }));
  EXPECT_TRUE(eventually([&] { return metric(p1->port, "circlecdn_redis_up") == 1; }));
  EXPECT_GE(metric(p1->port, "circlecdn_redis_outages_total"), 1);
  EXPECT_GE(metric(p1->port, "circlecdn_redis_resyncs_total"), 2);
  EXPECT_EQ(processes(), std::vector<std::string>{id1});
}

// A Redis that stops answering without closing its connections (frozen, or a dead network path)
// is given up after 5 s without a reply, reported, and joined again once it answers.
TEST_F(cluster_test, AFrozenRedisIsGivenUpAndJoinedAgain) {
  auto p1 = process();
  auto id1 = joined(1);
  ws_client holder(p1->port);
  announce(holder, 7);
  ASSERT_TRUE(eventually([&] { return holds(id1, 7); }));
  redis->pause();
  EXPECT_TRUE(eventually([&] { return metric(p1->port, "circlecdn_redis_up") == 0; }));
  EXPECT_TRUE(wait_for_text(dir.path() / "process1.log", "event=redis_reset"));
  redis->resume();
  EXPECT_TRUE(eventually([&] { return metric(p1->port, "circlecdn_redis_up") == 1; }));
  EXPECT_TRUE(holds(id1, 7));
  EXPECT_GE(metric(p1->port, "circlecdn_redis_outages_total"), 1);
}

// A peer that learns the id of a peer on another process (here: it is told it) cannot signal it:
// relays go only between peers the server paired.
TEST_F(cluster_test, AHostilePeerCannotReachAPeerOnAnotherProcess) {
  auto p1 = process();
  auto id1 = joined(1);
  auto p2 = process();
  joined(2, {id1});
  ws_client hostile(p1->port), victim(p2->port);
  hostile.send(R"({"type":"signal","to":")" + victim.peer() + R"(","data":{"sdp":"x"}})");
  auto err = hostile.read_type("error");
  EXPECT_EQ(err["code"], "not_paired");
  // The victim's next message is the answer to its own question, not a relayed signal.
  victim.send(R"({"type":"done","id":9,"ok":true})");
  auto next = victim.read();
  EXPECT_EQ(next["type"], "error");
  EXPECT_EQ(next["code"], "unknown_want");
}

// Peers join and leave in numbers; Redis's keys come back to what the processes alone keep.
TEST_F(cluster_test, AThousandPeersOverTwoProcessesLeaveRedisAtItsBaseline) {
  auto p1 = process();
  auto id1 = joined(1);
  auto p2 = process();
  joined(2, {id1});
  ASSERT_TRUE(eventually([&] { return keys() == 4; }));
  auto baseline = keys();
  {
    std::vector<std::unique_ptr<ws_client>> peers;
    for (int i = 0; i < 1000; ++i) {
      peers.push_back(std::make_unique<ws_client>(i % 2 ? p2->port : p1->port));
      announce(*peers.back(), (i / 2) % files);  // every file on both processes
    }
    EXPECT_TRUE(eventually([&] {
      for (int i = 0; i < files; ++i)
        if (holders(i) != 2) return false;
      return true;
    }));
    // one index per process, one holders hash per file
    EXPECT_EQ(keys(), baseline + 2 + files);
  }
  EXPECT_TRUE(eventually([&] { return keys() == baseline; }));
}

}  // namespace
