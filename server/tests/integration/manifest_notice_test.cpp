// The live manifest (docs/protocol.md, `manifest`): a connected page hears of a new manifest
// generation over its socket, with the ETag the new manifest is served under, and only when the
// site changed.
#include <gtest/gtest.h>

#include <fstream>

#include "support/http_client.hpp"
#include "support/test_site.hpp"
#include "support/ws_client.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

TEST(ManifestNotice, PeersHearOfAChangedSiteWithTheNewManifestETag) {
  test_site site;
  auto before = get(site.port, "/.circlecdn/manifest.json");
  ws_client a(site.port);
  ws_client b(site.port);
  for (auto& m : a.drain()) EXPECT_NE(m["type"], "manifest") << "a notice with nothing changed";

  std::ofstream(site.dir.path() / "f0.txt") << "changed content\n";
  auto notice = a.read_type("manifest");  // the watcher's rescan, then the next tick
  auto manifest = get(site.port, "/.circlecdn/manifest.json");
  EXPECT_NE(manifest[http::field::etag], before[http::field::etag]);
  EXPECT_EQ(notice["etag"].as_string(), manifest[http::field::etag]);
  auto generation = boost::json::parse(manifest.body()).as_object()["generation"];
  EXPECT_EQ(notice["generation"], generation);
  EXPECT_EQ(b.read_type("manifest"), notice);  // every peer, the same frame
  // One notice per change: nothing more until the site changes again.
  for (auto& m : a.drain()) EXPECT_NE(m["type"], "manifest");
}
