// The browser library built into the binary (cmake/embed.cmake), served without --client-dir:
// byte-equal to client/dist, under a fingerprinted immutable name, and revalidated by ETag.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "core/content_hash.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/test_site.hpp"

using namespace circlecdn;
using namespace circlecdn::test;

namespace {

std::string built(const char* name) {
  std::ifstream in(std::string(CIRCLECDN_SOURCE_DIR) + "/client/dist/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST(ClientAssets, EmbeddedLibraryIsServedWithoutClientDirByteForByte) {
  test_site site;  // no client_dir
  for (auto name : {"circlecdn.js", "circlecdn.iife.js"}) {
    auto expected = built(name);
    ASSERT_FALSE(expected.empty()) << "client/dist/" << name << " missing: run npm run build";
    auto res = get(site.port, std::string("/.circlecdn/") + name);
    EXPECT_EQ(res.result_int(), 200u) << name;
    EXPECT_TRUE(res.body() == expected) << name << " differs from client/dist";
    EXPECT_EQ(res[http::field::content_type], "text/javascript; charset=utf-8");
    EXPECT_EQ(res[http::field::cache_control], "no-cache");
    EXPECT_EQ(res[http::field::etag], "\"" + content_hash::of(expected).hex() + "\"");
  }
}

TEST(ClientAssets, FingerprintedNameIsImmutableAndOnlyForTheCurrentBytes) {
  test_site site;
  auto bytes = built("circlecdn.iife.js");
  auto fingerprint = content_hash::of(bytes).hex().substr(0, 16);
  auto res = get(site.port, "/.circlecdn/circlecdn.iife." + fingerprint + ".js");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_TRUE(res.body() == bytes);
  EXPECT_EQ(res[http::field::cache_control], "public, max-age=31536000, immutable");
  auto esm = built("circlecdn.js");
  EXPECT_EQ(
      get(site.port, "/.circlecdn/circlecdn." + content_hash::of(esm).hex().substr(0, 16) + ".js")
          .body()
          .size(),
      esm.size());
  // An old or made-up fingerprint never gets today's bytes as immutable.
  EXPECT_EQ(get(site.port, "/.circlecdn/circlecdn.0000000000000000.js").result_int(), 404u);
  EXPECT_EQ(get(site.port, "/.circlecdn/circlecdn.iife." + fingerprint.substr(0, 15) + ".js")
                .result_int(),
            404u);
  EXPECT_EQ(get(site.port, "/.circlecdn/dashboard." + fingerprint + ".js").result_int(), 404u);
}

// The core loads its chunks by fingerprinted name (client/build.mjs writes the names in): each name
// in the core must be one the server answers, immutable, with the chunk's bytes.
TEST(ClientAssets, TheCoreNamesEachChunkByTheFingerprintTheServerServes) {
  test_site site;
  for (auto core_name : {"circlecdn.js", "circlecdn.iife.js"}) {
    auto core = built(core_name);
    for (std::string chunk : {"circlecdn-crowd", "circlecdn-dom", "circlecdn-sw"}) {
      auto bytes = built((chunk + ".js").c_str());
      ASSERT_FALSE(bytes.empty()) << "client/dist/" << chunk << ".js missing: run npm run build";
      EXPECT_TRUE(get(site.port, "/.circlecdn/" + chunk + ".js").body() == bytes) << chunk;
      auto name = chunk + "." + content_hash::of(bytes).hex().substr(0, 16) + ".js";
      EXPECT_NE(core.find("\"" + name + "\""), std::string::npos) << core_name << " lacks " << name;
      auto res = get(site.port, "/.circlecdn/" + name);
      EXPECT_EQ(res.result_int(), 200u) << name;
      EXPECT_TRUE(res.body() == bytes) << name;
      EXPECT_EQ(res[http::field::cache_control], "public, max-age=31536000, immutable");
    }
  }
  EXPECT_EQ(get(site.port, "/.circlecdn/circlecdn-crowd.0000000000000000.js").result_int(), 404u);
  EXPECT_EQ(get(site.port, "/.circlecdn/circlecdn-other.js").result_int(), 404u);
}

TEST(ClientAssets, PlainNameAnswers304ToItsETag) {
  test_site site;
  auto first = get(site.port, "/.circlecdn/circlecdn.js");
  std::string etag(first[http::field::etag]);
  ASSERT_FALSE(etag.empty());
  for (const std::string& inm : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    auto again = get(site.port, "/.circlecdn/circlecdn.js", {{"If-None-Match", inm}});
    EXPECT_EQ(again.result_int(), 304u) << inm;
    EXPECT_TRUE(again.body().empty());
    EXPECT_EQ(again[http::field::etag], etag);
  }
  EXPECT_EQ(
      get(site.port, "/.circlecdn/circlecdn.js", {{"If-None-Match", "\"stale\""}}).result_int(),
      200u);
}

TEST(ClientAssets, ClientDirOverridesTheEmbeddedCopyForDevelopment) {
  temp_dir dev;
  dev.write("circlecdn.js", "export const dev = 1;\n");
  app::config cfg;
  cfg.client_dir = dev.path();
  test_site site(8, cfg);
  auto res = get(site.port, "/.circlecdn/circlecdn.js");
  EXPECT_EQ(res.body(), "export const dev = 1;\n");
  auto fp = content_hash::of("export const dev = 1;\n").hex().substr(0, 16);
  EXPECT_EQ(get(site.port, "/.circlecdn/circlecdn." + fp + ".js").body(),
            "export const dev = 1;\n");
  // Not in the directory: 404, not the embedded copy (the override is the whole library).
  EXPECT_EQ(get(site.port, "/.circlecdn/circlecdn.iife.js").result_int(), 404u);
}

TEST(ClientAssets, ServiceWorkerIsServedForScopeSlashAndRevalidated) {
  test_site site;
  auto expected = built("sw.js");
  ASSERT_FALSE(expected.empty()) << "client/dist/sw.js missing: run npm run build";
  auto res = get(site.port, "/.circlecdn/sw.js");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_TRUE(res.body() == expected) << "sw.js differs from client/dist";
  EXPECT_EQ(res["Service-Worker-Allowed"], "/");
  EXPECT_EQ(res["CircleCDN-Service-Worker"], "on");
  EXPECT_EQ(res[http::field::content_type], "text/javascript; charset=utf-8");
  // no-cache + ETag: every update check reaches the server, and costs a 304 when nothing changed.
  EXPECT_EQ(res[http::field::cache_control], "no-cache");
  std::string etag(res[http::field::etag]);
  EXPECT_EQ(etag, "\"" + content_hash::of(expected).hex() + "\"");
  auto again = get(site.port, "/.circlecdn/sw.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.result_int(), 304u);
  EXPECT_EQ(again["Service-Worker-Allowed"], "/");
  EXPECT_EQ(again["CircleCDN-Service-Worker"], "on");
  // No fingerprinted (immutable) name: a worker must always be revalidated.
  auto fp = content_hash::of(expected).hex().substr(0, 16);
  EXPECT_EQ(get(site.port, "/.circlecdn/sw." + fp + ".js").result_int(), 404u);
}

TEST(ClientAssets, ServiceWorkerOffServesTheWorkerThatUnregistersItself) {
  app::config cfg;
  cfg.service_worker = "off";
  test_site site(8, cfg);
  auto expected = built("sw-off.js");
  ASSERT_FALSE(expected.empty()) << "client/dist/sw-off.js missing: run npm run build";
  auto res = get(site.port, "/.circlecdn/sw.js");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_TRUE(res.body() == expected) << "the kill switch did not serve sw-off.js";
  EXPECT_NE(res.body().find("unregister"), std::string::npos);
  EXPECT_EQ(res["CircleCDN-Service-Worker"], "off");
  EXPECT_EQ(res["Service-Worker-Allowed"], "/");
  // Other bytes than the carrying worker's, so a browser's update check installs it.
  EXPECT_NE(res[http::field::etag], "\"" + content_hash::of(built("sw.js")).hex() + "\"");
  auto head = exchange(site.port, build_request("HEAD", "/.circlecdn/sw.js"), 1, true);
  ASSERT_EQ(head.size(), 1u);
  EXPECT_EQ(head[0]["CircleCDN-Service-Worker"], "off");
  EXPECT_TRUE(head[0].body().empty());
}
