// The event lines of the real binary on stderr: key=value, one per event, per-message events only
// at debug.
#include <gtest/gtest.h>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/ws_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

namespace {
const std::string want_unknown =
    R"({"type":"want","id":5,"hash":")" + std::string(64, 'a') + R"("})";
}

TEST(EventLog, ManifestChangesAndMissesAreLoggedAsKeyValueLines) {
  temp_dir site;
  site.write("a.txt", "a");
  temp_dir logs;
  auto err = logs.path() / "stderr.log";
  child_server server(CIRCLECDN_BIN, site.path(),
                      {"--listen", "127.0.0.1:0", "--log-level", "debug"}, err);
  EXPECT_TRUE(wait_for_text(err, "event=start site=" + site.path().string() + " files=1"));
  site.write("b.txt", "b");
  EXPECT_TRUE(wait_for_text(err, "event=manifest generation=2 files=2 was_files=1"));
  ws_client peer(server.port);
  peer.send(want_unknown);
  EXPECT_EQ(peer.read()["type"], "miss");
  EXPECT_TRUE(wait_for_text(err, "reason=unknown_hash"));
  EXPECT_TRUE(wait_for_text(err, "event=miss peer=" + peer.peer()));
  peer.close();
  EXPECT_EQ(server.terminate_and_wait(), 0);
  EXPECT_TRUE(wait_for_text(err, "event=stopped ws_cut=0 http_responses_cut=0"));
}

TEST(EventLog, PerMessageEventsStayOutOfInfo) {
  temp_dir site;
  site.write("a.txt", "a");
  temp_dir logs;
  auto err = logs.path() / "stderr.log";
  child_server server(CIRCLECDN_BIN, site.path(), {"--listen", "127.0.0.1:0"}, err);
  ws_client peer(server.port);
  peer.send(want_unknown);
  EXPECT_EQ(peer.read()["type"], "miss");
  peer.close();
  EXPECT_EQ(server.terminate_and_wait(), 0);
  auto text = read_text(err);
  EXPECT_NE(text.find("event=start"), std::string::npos);
  EXPECT_EQ(text.find("event=miss"), std::string::npos);
}
