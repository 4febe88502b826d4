// The tracker in a cluster, through a fake swarm::remote_crowd that holds the answers back until
// the test releases them: the want path's continuation (the wanter may leave, the id may be
// wanted again, local holders may change while Redis answers), the orders a remote pairing
// sends, and the single-process path that never asks.
#include <gtest/gtest.h>

#include "signal/cluster_orders.hpp"
#include "tracker_fixture.hpp"

using namespace circlecdn;
using namespace circlecdn::signal;
using namespace circlecdn::signal::test;

namespace {

struct fake_crowd final : swarm::remote_crowd {
  bool is_up = true;
  peer_id me = peer_id::random();
  std::vector<swarm::remote_holder> holders;  // what every sample answers
  std::vector<holders_fn> waiting;            // samples not answered yet
  std::vector<std::pair<peer_id, std::string>> sent;
  bool up() const override { return is_up; }
  const peer_id& self() const override { return me; }
  void sample_holders(const content_hash&, const peer_id&, std::size_t, holders_fn done) override {
    waiting.push_back(std::move(done));
  }
  void holder_changed(const peer_id&) override {}
  bool send(const peer_id& process, std::string order) override {
    sent.emplace_back(process, std::move(order));
    return is_up;
  }
  bool disputed(const content_hash&) const override { return false; }
  void answer_all() {
    auto w = std::move(waiting);
    waiting.clear();
    for (auto& done : w) done(holders);
  }
  swarm::remote_holder holder(peer_id process) {
    swarm::remote_holder h;
    h.policy.id = peer_id::random();
    h.policy.max_uploads = 4;
    h.process = process;
    return h;
  }
};

struct remote_fixture : fixture {
  fake_crowd crowd;
  void SetUp() override {
    fixture::SetUp();
    t->set_remote(&crowd);
  }
};

TEST_F(remote_fixture, AWantWithNoLocalHolderIsDecidedWhenTheClusterAnswers) {
  auto w = join();
  auto elsewhere = peer_id::random();
  auto remote = crowd.holder(elsewhere);
  crowd.holders = {remote};
  want(*w, 1, 1);
  EXPECT_TRUE(w->link.inbox.empty());  // waiting for Redis, not answered yet
  ASSERT_EQ(crowd.waiting.size(), 1u);
  crowd.answer_all();
  auto m = w->link.next();
  EXPECT_EQ(m["type"], "match");
  EXPECT_EQ(m["peer"], json::value(remote.policy.id.str()));
  ASSERT_EQ(crowd.sent.size(), 1u);
  EXPECT_EQ(crowd.sent[0].first, elsewhere);
  auto order = parse_order(crowd.sent[0].second);
  ASSERT_TRUE(order);
  EXPECT_EQ(order->kind, order_kind::push);
  EXPECT_EQ(order->process, crowd.me);
  EXPECT_EQ(order->to, remote.policy.id);
  // A signal to the remote partner goes to its process, as an order carrying the data.
  send(*w, R"({"type":"signal","to":")" + remote.policy.id.str() + R"(","data":{"sdp":"x"}})");
  ASSERT_EQ(crowd.sent.size(), 2u);
  auto sig = parse_order(crowd.sent[1].second);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->kind, order_kind::signal);
  EXPECT_EQ(sig->data, R"({"sdp":"x"})");
}

TEST_F(remote_fixture, AWanterThatLeftBeforeTheAnswerIsForgotten) {
  auto w = join();
  crowd.holders = {crowd.holder(peer_id::random())};
  want(*w, 1, 1);
  t->leave(w->state);
  crowd.answer_all();  // nobody to answer: no pairing, no order
  EXPECT_TRUE(crowd.sent.empty());
  EXPECT_EQ(ledger->transfers(), 0u);
}

TEST_F(remote_fixture, AnIdWaitingForTheClusterIsInFlight) {
  auto w = join();
  want(*w, 7, 1);
  want(*w, 7, 2);
  auto e = w->link.next();
  EXPECT_EQ(e["code"], "duplicate_id");
  crowd.answer_all();  // nobody holds it anywhere: the first want is answered with a miss
  EXPECT_EQ(w->link.next()["type"], "miss");
}

TEST_F(remote_fixture, AnIdleLocalHolderIsTakenWithoutAskingAndRedisDownAsksNobody) {
  auto h = join(), w = join();
  announce(*h, 1);
  want(*w, 1, 1);
  EXPECT_TRUE(crowd.waiting.empty());
  EXPECT_EQ(w->link.next()["peer"], json::value(h->id));
  crowd.is_up = false;
  auto w2 = join();
  want(*w2, 1, 2);  // nobody here, Redis down: a miss now, never a pairing across
  EXPECT_TRUE(crowd.waiting.empty());
  EXPECT_EQ(w2->link.next()["reason"], "no_holder");
}

// The holder's process: a push order for a peer here opens its half of the transfer and pairs
// it with the remote wanter; a signal order from a stranger is dropped.
TEST_F(remote_fixture, OrdersFromAnotherProcessApplyOnlyToPairingsThisOneMade) {
  auto h = join(), bystander = join();
  announce(*h, 1);
  auto wanter = peer_id::random(), there = peer_id::random();
  auto holder = *peer_id::parse(h->id);
  auto push = order_of(order_kind::push, wanter, holder, 3, hash_of(1), true);
  push.process = there;
  t->on_order(encode_order(push), now);
  auto p = h->link.next();
  EXPECT_EQ(p["type"], "push");
  EXPECT_EQ(p["peer"], json::value(wanter.str()));
  auto to_bystander = order_of(order_kind::signal, wanter, *peer_id::parse(bystander->id), 0, {},
                               false, {}, {}, R"({"sdp":"x"})");
  to_bystander.process = there;
  t->on_order(encode_order(to_bystander), now);
  EXPECT_TRUE(bystander->link.inbox.empty());
  EXPECT_EQ(t->counters().orders_refused, 1u);
  auto to_holder = to_bystander;
  to_holder.to = holder;
  t->on_order(encode_order(to_holder), now);
  EXPECT_EQ(h->link.next()["type"], "signal");
  // The wanter's process says it is done: the slot frees and the holder's record takes it.
  auto done = order_of(order_kind::done, wanter, holder, 3, hash_of(1), true, "0");
  done.process = there;
  t->on_order(encode_order(done), now);
  EXPECT_EQ(ledger->uploads_of(holder), 0u);
  EXPECT_EQ(ledger->transfers(), 0u);
}

}  // namespace
