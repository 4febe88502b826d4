// Pairing across processes: a want on one process matched with a holder on another (one Redis
// round trip), the orders and signals between them through Redis pub/sub, a target that left,
// a hostile peer that tries to reach peers it was not paired with, Redis lost and back, manifests
// that disagree, and tokens that verify on every process. Real redis-server, real processes,
// real WebSocket clients.
#include "cluster_fixture.hpp"

using namespace circlecdn;
using namespace circlecdn::test;
using namespace std::chrono_literals;

namespace {

struct cluster_pairing : cluster_test {
  // `proc` listens on its order channel (after a start or a rejoin).
  bool subscribed(const std::string& proc) {
    auto r = redis->client().run({"PUBSUB", "NUMSUB", "circlecdn:to:" + proc});
    return r->elements == 2 && r->element[1]->integer == 1;
  }
  // Everything a process must have published before another can pair with its holder of file i.
  bool ready(const std::string& proc, const ws_client& holder, int i) {
    auto r = redis->client().run({"HGET", "circlecdn:holders:" + hash(i), holder.peer()});
    return r->type == REDIS_REPLY_STRING && r->str == proc && subscribed(proc) &&
           inputs_published(proc, holder.peer());
  }
  static void signal(ws_client& from, const ws_client& to, const std::string& sdp) {
    from.send(R"({"type":"signal","to":")" + to.peer() + R"(","data":{"sdp":")" + sdp + R"("}})");
  }
  static bool has_type(const std::vector<boost::json::object>& msgs, std::string_view type) {
    return std::any_of(msgs.begin(), msgs.end(),
                       [&](auto& m) { return m.at("type").as_string() == type; });
  }
};

TEST_F(cluster_pairing, PeersOnDifferentProcessesArePairedAndTheirSignalsRelayed) {
  auto c = start(3);
  auto &id1 = c.ids[0], &id2 = c.ids[1];
  auto *p1 = c.servers[0].get(), *p2 = c.servers[1].get();
  ws_client holder(c.port(0)), wanter(c.port(1)), bystander(c.port(2));
  announce(holder, 0);
  ASSERT_TRUE(eventually([&] { return ready(id1, holder, 0) && subscribed(id2); }));

  redis->client().run({"CONFIG", "RESETSTAT"});
  want(wanter, 1, 0);
  auto match = wanter.read_type("match");
  EXPECT_EQ(match["peer"].as_string(), holder.peer());
  EXPECT_EQ(match["connect"], true);
  auto push = holder.read_type("push");
  EXPECT_EQ(push["peer"].as_string(), wanter.peer());
  EXPECT_EQ(push["id"], 1);
  EXPECT_EQ(push["hash"].as_string(), hash(0));

  signal(wanter, holder, "offer across");
  auto offer = holder.read_type("signal");
  EXPECT_EQ(offer["from"].as_string(), wanter.peer());
  EXPECT_EQ(offer["data"].as_object().at("sdp"), "offer across");
  signal(holder, wanter, "answer across");
  auto answer = wanter.read_type("signal");
  EXPECT_EQ(answer["from"].as_string(), holder.peer());
  EXPECT_EQ(answer["data"].as_object().at("sdp"), "answer across");
  wanter.send(R"({"type":"done","id":1,"ok":true,"bytes":17})");

  // The holder's process took the outcome: its slot is free and its completed count is 1, as the
  // inputs other processes read say ("uploads max completed flags").
  EXPECT_TRUE(eventually([&] {
    auto r = redis->client().run({"HGET", "circlecdn:load:" + id1, holder.peer()});
    std::string in = r->str ? r->str : "";
    return in.starts_with("0 ") && in.find(" 1 0") != std::string::npos;
  }));
  // Choosing the holder was one round trip: one EVALSHA, whatever the number of candidates.
  // The rest are the orders (push, two signals, done) and the holder's inputs re-published.
  auto stats = std::string(redis->client().run({"INFO", "commandstats"})->str);
  auto calls = [&](const std::string& cmd) {
    auto at = stats.find("cmdstat_" + cmd + ":calls=");
    return at == std::string::npos ? 0 : std::stoll(stats.substr(at + 15 + cmd.size()));
  };
  EXPECT_EQ(calls("evalsha"), 1);
  EXPECT_EQ(calls("publish"), 4);
  std::printf(
      "one pairing across processes, offer, answer, done: %lld EVALSHA, %lld PUBLISH, "
      "%lld HSET (holdings, inputs and heartbeats together)\n",
      calls("evalsha"), calls("publish"), calls("hset"));
  EXPECT_EQ(metric(p2->port, "circlecdn_cluster_remote_matches_total"), 1);
  EXPECT_EQ(metric(p2->port, "circlecdn_cluster_signals_relayed_total"), 1);
  EXPECT_EQ(metric(p1->port, "circlecdn_cluster_signals_relayed_total"), 1);
  EXPECT_FALSE(has_type(bystander.drain(), "signal"));

  // A want in flight when the holder leaves: the wanter gets the cancel a local one would.
  want(wanter, 2, 0);
  EXPECT_EQ(wanter.read_type("match")["connect"], false);  // the channel is reused
  EXPECT_EQ(holder.read_type("push")["id"], 2);
  holder.close();
  auto cancel = wanter.read_type("cancel");
  EXPECT_EQ(cancel["id"], 2);
  EXPECT_EQ(cancel["role"], "wanter");
  EXPECT_EQ(cancel["reason"], "peer_gone");
  // A signal to the peer that left: the same peer_gone error as in one process.
  signal(wanter, holder, "late candidate");
  auto err = wanter.read_type("error");
  EXPECT_EQ(err["code"], "peer_gone");
  EXPECT_EQ(err["ref"], "signal");
}

// The attack: a peer learns the ids of peers connected to other processes (here it is told them)
// and signals them, to reach a browser it was never paired with. The server relays only between
// peers it paired, whichever process each is on: nothing is even published.
TEST_F(cluster_pairing, AHostilePeerCannotSignalPeersOnOtherProcessesItWasNotPairedWith) {
  auto c = start(3);
  auto &id1 = c.ids[0], &id2 = c.ids[1];
  auto* p1 = c.servers[0].get();
  ws_client hostile(c.port(0)), partner(c.port(1)), victim2(c.port(1)), victim3(c.port(2));
  announce(partner, 4);
  ASSERT_TRUE(eventually([&] { return ready(id2, partner, 4) && subscribed(id1); }));
  want(hostile, 1, 4);  // a real pairing with a peer on p2
  EXPECT_EQ(hostile.read_type("match")["peer"].as_string(), partner.peer());
  partner.read_type("push");
  auto sent_before = metric(p1->port, "circlecdn_cluster_orders_sent_total");

  for (auto* victim : {&victim2, &victim3}) {
    signal(hostile, *victim, "unsolicited offer");
    EXPECT_EQ(hostile.read_type("error")["code"], "not_paired");
    hostile.send(R"({"type":"report","peer":")" + victim->peer() + R"(","hash":")" + hash(4) +
                 R"("})");
    EXPECT_EQ(hostile.read_type("error")["code"], "not_paired");
  }
  EXPECT_EQ(metric(p1->port, "circlecdn_cluster_orders_sent_total"), sent_before);
  EXPECT_FALSE(has_type(victim2.drain(), "signal"));
  EXPECT_FALSE(has_type(victim3.drain(), "signal"));
  // Its own partner it reaches: the relay works, only strangers are out of reach.
  signal(hostile, partner, "offer");
  EXPECT_EQ(partner.read_type("signal")["from"].as_string(), hostile.peer());
}

// Redis goes away: each process keeps pairing its own peers, pairs nobody across (it cannot see
// the others: a miss, never a pairing with a holder that may be gone), and pairs across again
// once Redis is back and everyone rejoined.
TEST_F(cluster_pairing, LosingRedisKeepsLocalPairingAndPairsAcrossAgainWhenItReturns) {
  auto p1 = process();
  auto id1 = joined(1);
  auto p2 = process();
  auto id2 = joined(2, {id1});
  ws_client remote_holder(p1->port), wanter(p2->port), local_holder(p2->port);
  announce(remote_holder, 6);
  announce(local_holder, 7);
  ASSERT_TRUE(eventually([&] { return ready(id1, remote_holder, 6) && subscribed(id2); }));

  redis->stop();
  EXPECT_TRUE(eventually([&] {
    return metric(p1->port, "circlecdn_redis_up") == 0 &&
           metric(p2->port, "circlecdn_redis_up") == 0;
  }));
  want(wanter, 1, 6);
  auto miss = wanter.read_type("miss");
  EXPECT_EQ(miss["reason"], "no_holder");
  want(wanter, 2, 7);
  EXPECT_EQ(wanter.read_type("match")["peer"].as_string(), local_holder.peer());
  EXPECT_EQ(local_holder.read_type("push")["peer"].as_string(), wanter.peer());

  redis->start();  // empty: everything is re-sent by the processes
  EXPECT_TRUE(eventually([&] { return ready(id1, remote_holder, 6) && subscribed(id2); }));
  want(wanter, 3, 6);
  EXPECT_EQ(wanter.read_type("match")["peer"].as_string(), remote_holder.peer());
  EXPECT_EQ(remote_holder.read_type("push")["id"], 3);
  EXPECT_GE(metric(p2->port, "circlecdn_redis_outages_total"), 1);
}

// Two processes serve different bytes under /f0.txt (a deploy half done). Each refuses to pair
// on its own hash for that path, says so in its log and /metrics; the paths they agree on pair
// across as usual.
TEST_F(cluster_pairing, ProcessesWhoseManifestsDisagreeOnAPathRefuseToPairOnIt) {
  auto other_site = dir.path() / "other-site";
  make_site(other_site);
  std::ofstream(other_site / "f0.txt") << "another version of file 0\n";
  auto p1 = process();
  auto id1 = joined(1);
  auto p2 = process({}, other_site);
  auto id2 = joined(2, {id1});
  for (auto port : {p1->port, p2->port})
    EXPECT_TRUE(
        eventually([&] { return metric(port, "circlecdn_cluster_manifest_mismatch_paths") == 1; }));
  EXPECT_TRUE(
      wait_for_text(dir.path() / "process1.log", "event=cluster_manifest_mismatch path=/f0.txt"));
  EXPECT_TRUE(
      wait_for_text(dir.path() / "process2.log", "event=cluster_manifest_mismatch path=/f0.txt"));

  ws_client holder(p1->port), local_wanter(p1->port), remote_wanter(p2->port);
  announce(holder, 0);  // p1's version of /f0.txt
  announce(holder, 1);
  ASSERT_TRUE(eventually([&] { return ready(id1, holder, 1) && subscribed(id2); }));
  want(local_wanter, 1, 0);
  EXPECT_EQ(local_wanter.read_type("miss")["reason"], "no_holder");  // refused even here
  EXPECT_EQ(metric(p1->port, "circlecdn_cluster_manifest_mismatch_refusals_total"), 1);
  want(remote_wanter, 1, 1);  // /f1.txt: the same bytes on both
  auto answer = remote_wanter.read();
  EXPECT_EQ(answer["type"], "match") << answer;
  EXPECT_EQ(answer["peer"].as_string(), holder.peer());
}

// With --token-secret-file on every process, a resume token from one process takes the id back
// on another (a load balancer sent the reconnect elsewhere), and a miss token from one counts on
// another's origin.
TEST_F(cluster_pairing, TokensIssuedByOneProcessVerifyOnAnother) {
  auto p1 = process();
  auto id1 = joined(1);
  auto p2 = process();
  joined(2, {id1});
  std::string old_id, resume;
  {
    ws_client first(p1->port);
    old_id = first.peer();
    resume = std::string(first.welcome().at("resume").as_string());
  }
  ws_client again(p2->port);
  again.send(R"({"type":"hello","resume":")" + resume + R"("})");
  EXPECT_EQ(again.read_type("welcome")["peer"].as_string(), old_id);

  ws_client wanter(p1->port);
  want(wanter, 1, 9);
  auto token = std::string(wanter.read_type("miss")["token"].as_string());
  auto answer = get(p2->port, "/f9.txt", {{"X-Circle-Miss", token}});
  EXPECT_EQ(answer.result_int(), 200);
  auto body = get(p2->port, "/metrics", operator_auth()).body();
  EXPECT_NE(body.find("circlecdn_miss_tokens_total{verdict=\"valid\"} 1"), std::string::npos);
}

}  // namespace
