// Caching that works with proxies and CDNs, through the real server over real sockets:
// Cache-Control by path, gzip and brotli that decode back to the file byte for byte, made once
// per content, Vary on text, and the visitor cookie kept off anything a shared cache would store.
#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/json.hpp>
#include <string>

#include "app/server.hpp"
#include "core/content_hash.hpp"
#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/temp_dir.hpp"

namespace circlecdn {
namespace {

using test::get;

std::string gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "<inflateInit2 failed>";
  std::string out(1 << 22, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "<not a complete gzip stream>";
}

std::string unbrotli(const std::string& in) {
  std::string out(1 << 22, '\0');
  std::size_t size = out.size();
  if (BrotliDecoderDecompress(in.size(), reinterpret_cast<const std::uint8_t*>(in.data()), &size,
                              reinterpret_cast<std::uint8_t*>(out.data())) !=
      BROTLI_DECODER_RESULT_SUCCESS)
    return "<not a brotli stream>";
  out.resize(size);
  return out;
}

class http_caching_test : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3000; ++i) script_ += "export const v" + std::to_string(i) + " = 'x';\n";
    site_.write("index.html", "<!doctype html><title>home</title><p>" + std::string(500, 'a'));
    site_.write("app.js", script_);
    site_.write("app.3f9a2b7c.js", script_);
    site_.write("img/cat.png", test::pattern_bytes(3000));
    site_.write("fonts/a.woff2", "font");
    app::config cfg;
    cfg.site = site_.path();
    cfg.listen_port = 0;
    cfg.cache_control = {{"/fonts/*", "public, max-age=604800"}};
    cfg.operator_token = test::operator_token;
    server_ = std::make_unique<app::server>(cfg);
    port_ = server_->start();
  }
  void TearDown() override { server_->stop(); }
  std::int64_t stat(const char* name) {
    auto o = boost::json::parse(get(port_, "/.circlecdn/stats", test::operator_auth()).body())
                 .as_object();
    return o[name].to_number<std::int64_t>();
  }

  std::string script_;
  test::temp_dir site_;
  std::unique_ptr<app::server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(http_caching_test, gzip_and_brotli_decode_back_to_the_file) {
  const auto br = get(port_, "/app.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(br[http::field::content_encoding], "br");
  EXPECT_EQ(br[http::field::vary], "Accept-Encoding");
  EXPECT_LT(br.body().size(), script_.size() / 4);
  EXPECT_TRUE(unbrotli(br.body()) == script_);
  const auto gz = get(port_, "/app.js", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gz[http::field::content_encoding], "gzip");
  EXPECT_TRUE(gunzip(gz.body()) == script_);
  EXPECT_NE(gz[http::field::etag], br[http::field::etag]);  // one tag per representation

  const auto manifest = get(port_, "/.circlecdn/manifest.json");
  const auto manifest_br = get(port_, "/.circlecdn/manifest.json", {{"Accept-Encoding", "br"}});
  EXPECT_EQ(manifest_br[http::field::content_encoding], "br");
  EXPECT_EQ(unbrotli(manifest_br.body()), manifest.body());
  EXPECT_EQ(manifest_br[http::field::vary], "Accept-Encoding");
}

TEST_F(http_caching_test, q_zero_refuses_a_coding) {
  const auto none = get(port_, "/app.js", {{"Accept-Encoding", "br;q=0, gzip;q=0"}});
  EXPECT_EQ(none.count(http::field::content_encoding), 0u);
  EXPECT_TRUE(none.body() == script_);
  EXPECT_EQ(none[http::field::vary], "Accept-Encoding");  // a cache must still key by it
  const auto gz = get(port_, "/app.js", {{"Accept-Encoding", "br;q=0, gzip"}});
  EXPECT_EQ(gz[http::field::content_encoding], "gzip");
  const auto star = get(port_, "/app.js", {{"Accept-Encoding", "*;q=0"}});
  EXPECT_EQ(star.count(http::field::content_encoding), 0u);
}

TEST_F(http_caching_test, each_form_is_compressed_once_not_per_request) {
  const auto before = stat("origin_compressions");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(get(port_, "/app.js", {{"Accept-Encoding", "br"}})[http::field::content_encoding],
              "br");
    EXPECT_EQ(get(port_, "/app.js", {{"Accept-Encoding", "gzip"}})[http::field::content_encoding],
              "gzip");
  }
  EXPECT_EQ(stat("origin_compressions") - before, 2);
  // The fingerprinted copy has the same bytes: the forms are kept by content hash.
  get(port_, "/app.3f9a2b7c.js", {{"Accept-Encoding", "br"}});
  EXPECT_EQ(stat("origin_compressions") - before, 2);
}

TEST_F(http_caching_test, ranges_are_answered_from_the_identity_bytes) {
  const auto r = get(port_, "/app.js", {{"Accept-Encoding", "br"}, {"Range", "bytes=10-19"}});
  EXPECT_EQ(r.result(), http::status::partial_content);
  EXPECT_EQ(r.count(http::field::content_encoding), 0u);
  EXPECT_EQ(r.body(), script_.substr(10, 10));
}

TEST_F(http_caching_test, cache_control_by_path) {
  EXPECT_EQ(get(port_, "/app.3f9a2b7c.js")[http::field::cache_control],
            "public, max-age=31536000, immutable");
  EXPECT_EQ(get(port_, "/app.js")[http::field::cache_control], "no-cache");
  EXPECT_EQ(get(port_, "/fonts/a.woff2")[http::field::cache_control], "public, max-age=604800");
  const auto js = get(port_, "/app.js");
  EXPECT_FALSE(js[http::field::etag].empty());
  EXPECT_FALSE(js[http::field::last_modified].empty());
  EXPECT_EQ(
      get(port_, "/app.js", {{"If-Modified-Since", std::string(js[http::field::last_modified])}})
          .result(),
      http::status::not_modified);
}

// A shared cache that stored a response with Set-Cookie would give one visitor's secret to all.
TEST_F(http_caching_test, the_cookie_is_never_on_a_response_a_shared_cache_would_store) {
  for (const char* asset :
       {"/app.js", "/app.3f9a2b7c.js", "/img/cat.png", "/fonts/a.woff2", "/missing.txt"}) {
    const auto r = get(port_, asset);
    EXPECT_EQ(r.count(http::field::set_cookie), 0u) << asset;
  }
  for (const char* target : {"/", "/index.html", "/.circlecdn/manifest.json"}) {
    const auto r = get(port_, target);
    EXPECT_TRUE(std::string(r[http::field::set_cookie]).starts_with("circle_id=")) << target;
    EXPECT_EQ(r[http::field::cache_control], "private, no-cache") << target;
  }
  const auto back = get(port_, "/", {{"Cookie", "circle_id=AAAAAAAAAAAAAAAAAAAAAA"}});
  EXPECT_EQ(back.count(http::field::set_cookie), 0u);
  EXPECT_EQ(back[http::field::cache_control], "no-cache");
}

}  // namespace
}  // namespace circlecdn
