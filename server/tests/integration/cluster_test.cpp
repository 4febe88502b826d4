// Many processes, one crowd: the real binary several times with --redis, a real redis-server
// started by the test on a free loopback port, real WebSocket clients. What each process keeps
// in Redis (presence, holdings, peer counts), a crash, a Redis outage and a frozen Redis.
// Pairing across processes: cluster_pairing_test.cpp; numbers: cluster_scale_test.cpp.
#include "cluster_fixture.hpp"

using namespace circlecdn;
using namespace circlecdn::test;
using namespace std::chrono_literals;

namespace {

TEST_F(cluster_test, EachProcessesHoldingsReachRedisAndLeaveWithItsPeers) {
  auto p1 = process();
  auto id1 = joined(1);
  auto p2 = process();
  auto id2 = joined(2, {id1});
  ASSERT_TRUE(eventually([&] { return keys() == baseline(2); }));
  {
    ws_client a(p1->port), b(p2->port), b2(p2->port);
    announce(a, 0);
    announce(b, 0);
    announce(b, 1);
    announce(b2, 1);  // a second holder on the same process: a field of its own
    EXPECT_TRUE(eventually([&] { return holders(0) == 2 && holders(1) == 2; }));
    EXPECT_TRUE(holds(id1, 0) && holds(id2, 0) && holds(id2, 1) && !holds(id1, 1));
    EXPECT_TRUE(eventually([&] {
      return inputs_published(id1, a.peer()) && inputs_published(id2, b.peer()) &&
             inputs_published(id2, b2.peer());
    }));
    EXPECT_TRUE(
        eventually([&] { return metric(p1->port, "circlecdn_cluster_peers_online") == 3; }));
    EXPECT_EQ(metric(p1->port, "circlecdn_cluster_processes"), 2);
    // The dashboard shows this process's figures and the cluster's.
    auto frame = dashboard_frame(p1->port);
    EXPECT_EQ(frame.at("peers_online").to_number<int>(), 1);
    auto& cluster = frame.at("cluster").as_object();
    EXPECT_EQ(cluster.at("peers_online").to_number<int>(), 3);
    EXPECT_EQ(cluster.at("processes").to_number<int>(), 2);
    EXPECT_EQ(cluster.at("redis_up"), true);
    b.close();
    EXPECT_TRUE(eventually([&] { return holders(0) == 1; }));
    EXPECT_EQ(holders(1), 1);  // b2 still holds it
  }
  EXPECT_TRUE(eventually([&] { return keys() == baseline(2); }));
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
  EXPECT_EQ(keys(), baseline(1));  // the survivor's alone: no holder, inputs nor manifest left
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

// --reuse-port: three processes listen on one port and the kernel spreads the connections over
// them; a holder and a wanter land wherever they land and are paired all the same.
TEST_F(cluster_test, ThreeProcessesShareOnePortWithReusePort) {
  auto port = free_loopback_port();
  auto c = start(3, {"--listen", "127.0.0.1:" + std::to_string(port), "--reuse-port"});
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(c.port(i), port);
  auto& ids = c.ids;
  std::vector<std::unique_ptr<ws_client>> peers;
  for (int i = 0; i < 60; ++i) peers.push_back(std::make_unique<ws_client>(port));
  auto counts = [&] {
    std::vector<long long> n;
    for (auto& id : ids) {
      auto r = redis->client().run({"HGET", "circlecdn:peers", id});
      n.push_back(r->str ? std::stoll(r->str) : 0);
    }
    return n;
  };
  EXPECT_TRUE(eventually([&] {
    auto n = counts();
    return n[0] + n[1] + n[2] == 60;
  }));
  for (auto n : counts()) EXPECT_GT(n, 0);  // (60 connections all on one process: 3^-59)
  announce(*peers[0], 2);
  ASSERT_TRUE(eventually([&] {
    auto proc = redis->client().run({"HGET", "circlecdn:holders:" + hash(2), peers[0]->peer()});
    return proc->str && inputs_published(proc->str, peers[0]->peer());
  }));
  for (int i : {1, 2, 3}) {  // wherever each landed, here or across
    want(*peers[i], 1, 2);
    auto match = peers[i]->read();
    ASSERT_EQ(match["type"], "match") << match;
    EXPECT_EQ(match["peer"].as_string(), peers[0]->peer());
    peers[0]->read_type("push");
    peers[i]->send(R"({"type":"done","id":1,"ok":true,"bytes":5})");
  }
}

}  // namespace
