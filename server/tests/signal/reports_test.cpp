// Which reports count: signal/reports.hpp.
#include "signal/reports.hpp"

#include <gtest/gtest.h>

using namespace circlecdn;
using namespace circlecdn::signal;

namespace {
content_hash h(int i) {
  return content_hash::of(std::to_string(i));
}
}  // namespace

TEST(PairingLog, OnlyTheWanterOfAnAnsweredPairingReportsItOnce) {
  pairing_log wanter;
  auto holder = peer_id::random(), other = peer_id::random();
  EXPECT_EQ(wanter.take_report(holder, h(1)), report_verdict::not_wanter);  // never matched
  wanter.matched(holder, h(1));
  EXPECT_EQ(wanter.take_report(holder, h(2)), report_verdict::not_wanter);  // another hash
  EXPECT_EQ(wanter.take_report(other, h(1)), report_verdict::not_wanter);   // another holder
  EXPECT_EQ(wanter.take_report(holder, h(1)), report_verdict::too_early);   // no signal yet
  wanter.answered_by(other);
  EXPECT_EQ(wanter.take_report(holder, h(1)), report_verdict::too_early);
  wanter.answered_by(holder);
  EXPECT_EQ(wanter.take_report(holder, h(1)), report_verdict::counts);
  EXPECT_EQ(wanter.take_report(holder, h(1)), report_verdict::already_reported);
  // A second pairing for the same hash (the hash wanted again) is a second report, on a channel
  // the holder answered before (connect:false).
  wanter.matched(holder, h(1));
  EXPECT_EQ(wanter.take_report(holder, h(1)), report_verdict::counts);
  EXPECT_EQ(wanter.take_report(holder, h(1)), report_verdict::already_reported);
}

TEST(PairingLog, TheHolderSideOfAPairingHasNothingToReport) {
  pairing_log holder_side;  // the holder never records a match as the wanter
  auto wanter = peer_id::random();
  holder_side.answered_by(wanter);  // the wanter's offer reached it
  EXPECT_EQ(holder_side.take_report(wanter, h(1)), report_verdict::not_wanter);
}

TEST(PairingLog, ForgetsTheOldestPairings) {
  pairing_log wanter;
  auto first = peer_id::random();
  wanter.matched(first, h(0));
  wanter.answered_by(first);
  for (std::size_t i = 0; i < report_rules::pairings_per_wanter; ++i)
    wanter.matched(peer_id::random(), h(static_cast<int>(i) + 1));
  EXPECT_EQ(wanter.take_report(first, h(0)), report_verdict::not_wanter);
}
