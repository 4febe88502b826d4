// A holder's policy inputs as a process publishes them in Redis and another reads them back.
#include <gtest/gtest.h>

#include "cluster/crowd_mirror.hpp"

using namespace circlecdn;
using namespace circlecdn::cluster;

TEST(holder_inputs, EveryInputRoundTrips) {
  swarm::holder_inputs in;
  in.uploads_in_flight = 3;
  in.max_uploads = 4;
  in.uploads_completed = 1234567;
  in.accused = true;
  in.unreachable = true;
  auto text = encode_inputs(in);
  EXPECT_EQ(text, "3 4 1234567 10");
  auto back = parse_inputs(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->uploads_in_flight, 3u);
  EXPECT_EQ(back->max_uploads, 4u);
  EXPECT_EQ(back->uploads_completed, 1234567u);
  EXPECT_FALSE(back->penalised);
  EXPECT_TRUE(back->accused);
  EXPECT_FALSE(back->suspect);
  EXPECT_TRUE(back->unreachable);
}

TEST(holder_inputs, WhatIsNotFourNumbersIsRefused) {
  for (const char* bad : {"", "1 2 3", "1 2 3 4 5", "1  2 3 4", "1 2 3 16", "a 2 3 4", "1 2 3 4 "})
    EXPECT_FALSE(parse_inputs(bad)) << bad;
}
