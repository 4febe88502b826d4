// Orders between processes: what one encodes the other reads back, field for field, the relayed
// data untouched; malformed text is refused whole.
#include "signal/cluster_orders.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using namespace circlecdn::signal;

TEST(cluster_orders, ASignalOrderRoundTripsWithItsDataAsWritten) {
  auto o = order_of(order_kind::signal, peer_id::random(), peer_id::random(), 0, {}, false, {}, {},
                    R"({"sdp":{"type":"offer","sdp":"v=0 with spaces\r\n"}})");
  o.process = peer_id::random();
  auto text = encode_order(o);
  auto back = parse_order(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->kind, order_kind::signal);
  EXPECT_EQ(back->process, o.process);
  EXPECT_EQ(back->from, o.from);
  EXPECT_EQ(back->to, o.to);
  EXPECT_EQ(back->data, o.data);
  EXPECT_TRUE(back->word.empty());
}

TEST(cluster_orders, PushAndCancelCarryTheirIdsHashesAndWords) {
  auto h = content_hash::of("item");
  auto o = order_of(order_kind::push, peer_id::random(), peer_id::random(), 4294967295u, h, true);
  auto text = encode_order(o);  // (the parsed order views into it)
  auto back = parse_order(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, 4294967295u);
  EXPECT_EQ(back->hash, h);
  EXPECT_TRUE(back->flag);
  auto c = order_of(order_kind::cancel, o.from, o.to, 7, h, false, "holder", "peer_gone");
  auto ctext = encode_order(c);
  auto cb = parse_order(ctext);
  ASSERT_TRUE(cb);
  EXPECT_EQ(cb->word, "holder");
  EXPECT_EQ(cb->word2, "peer_gone");
  EXPECT_FALSE(cb->flag);
}

TEST(cluster_orders, MalformedOrdersAreRefused) {
  auto good = encode_order(order_of(order_kind::gone, peer_id::random(), peer_id::random()));
  ASSERT_TRUE(parse_order(good));
  EXPECT_FALSE(parse_order(""));
  EXPECT_FALSE(parse_order("launch " + good.substr(good.find(' ') + 1)));  // unknown kind
  EXPECT_FALSE(parse_order(good.substr(0, 30)));                           // cut short
  auto bad_id = good;
  bad_id[5] = '!';  // inside the process id
  EXPECT_FALSE(parse_order(bad_id));
  auto bad_flag = good;
  bad_flag.replace(bad_flag.find(" 0 -"), 4, " 2 -");
  EXPECT_FALSE(parse_order(bad_flag));
}
