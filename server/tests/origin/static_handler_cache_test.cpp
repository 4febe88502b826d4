// The static handler from memory: the open-file cache, invalidated by the watcher's reports, and
// the gzip and brotli forms of text files.
#include "origin/static_handler_fixture.hpp"

namespace circlecdn::origin {
namespace {

namespace fs = std::filesystem;
using test::pattern_bytes;

// The open-file cache. The watcher's part is played by hand: watch_started() + rescan() is a
// watcher that has caught up, note_change() an event it just read, rescan() its debounced rescan.
class cached_handler_test : public static_handler_test {
 protected:
  cached_handler_test() { settle(); }
  void settle() {
    store_->watch_started();
    store_->rescan();
    ASSERT_TRUE(store_->cache_trusted());
  }
  // The first request for a file goes to the disk and fills the cache; this one is the second.
  rendered warm_get(const std::string& target,
                    std::vector<std::pair<http::field, std::string>> headers = {}) {
    get(target);
    return get(target, std::move(headers));
  }
};

TEST_F(cached_handler_test, misses_take_the_disk_path) {
  EXPECT_FALSE(warm_get("/nope").cached);
  EXPECT_EQ(get("/docs").res.result(), http::status::moved_permanently);
  EXPECT_EQ(get("/nope").res.result(), http::status::not_found);
  EXPECT_EQ(get("/img/cat.png/").res.result(), http::status::not_found);
}

TEST_F(cached_handler_test, a_reported_change_turns_the_cache_off_until_the_rescan) {
  EXPECT_FALSE(get("/ten.txt").cached);  // the first request opens the file and fills the cache
  EXPECT_TRUE(get("/ten.txt").cached);
  store_->note_change();
  EXPECT_FALSE(get("/ten.txt").cached);
  store_->rescan();
  EXPECT_TRUE(get("/ten.txt").cached);
}

TEST_F(cached_handler_test, replaced_file_serves_the_new_bytes) {
  const auto old_tag = etag_of("/img/cat.png");
  site_.write("img/.cat.png.tmp", "NEW CAT");
  fs::rename(site_.path() / "img/.cat.png.tmp", site_.path() / "img/cat.png");
  store_->note_change();
  auto r = get("/img/cat.png");  // between the event and the rescan: from disk, no ETag
  EXPECT_EQ(r.res.body(), "NEW CAT");
  EXPECT_EQ(r.res.count(http::field::etag), 0u);
  EXPECT_FALSE(r.served);
  store_->rescan();
  r = warm_get("/img/cat.png");
  EXPECT_TRUE(r.cached);
  EXPECT_EQ(r.res.body(), "NEW CAT");
  EXPECT_EQ(r.res[http::field::etag], "\"" + content_hash::of("NEW CAT").hex() + "\"");
  EXPECT_EQ(*r.served, content_hash::of("NEW CAT"));
  EXPECT_EQ(get("/img/cat.png", {{http::field::if_none_match, old_tag}}).res.result(),
            http::status::ok);
}

TEST_F(cached_handler_test, rewritten_large_file_serves_the_new_bytes) {
  const auto next = pattern_bytes(1024 * 1024, 99);
  site_.write("data.bin", next);  // in place: the cached descriptor sees the new bytes too
  store_->note_change();
  EXPECT_TRUE(get("/data.bin").res.body() == next);
  store_->rescan();
  const auto r = warm_get("/data.bin");
  EXPECT_TRUE(r.cached);
  EXPECT_TRUE(r.res.body() == next);
  EXPECT_EQ(*r.served, content_hash::of(next));
}

TEST_F(cached_handler_test, removed_file_is_404) {
  fs::remove(site_.path() / "img/cat.png");
  store_->note_change();
  EXPECT_EQ(get("/img/cat.png").res.result(), http::status::not_found);
  store_->rescan();
  EXPECT_EQ(get("/img/cat.png").res.result(), http::status::not_found);
  fs::remove(site_.path() / "docs/index.html");
  store_->note_change();
  store_->rescan();
  EXPECT_EQ(get("/docs/").res.result(), http::status::not_found);
}

TEST_F(cached_handler_test, symlink_escaping_the_root_is_still_refused) {
  outside_.write("cat.png", "OUTSIDE");
  fs::rename(site_.path() / "img", site_.path() / ".img-old");
  fs::create_symlink(outside_.path(), site_.path() / "img");
  fs::remove(site_.path() / "ten.txt");
  fs::create_symlink(outside_.path() / "secret.txt", site_.path() / "ten.txt");
  store_->note_change();
  EXPECT_EQ(get("/img/cat.png").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/ten.txt").res.result(), http::status::forbidden);
  store_->rescan();
  EXPECT_EQ(get("/img/cat.png").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/ten.txt").res.result(), http::status::forbidden);
}

TEST_F(cached_handler_test, hostile_targets_and_dotfiles_are_still_refused) {
  EXPECT_EQ(get("/../etc/passwd").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/%2e%2e/etc/passwd").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/img%2fcat.png").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/img\\cat.png").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/a%00").res.result(), http::status::bad_request);
  EXPECT_EQ(get("http://x/img/cat.png").res.result(), http::status::bad_request);
  EXPECT_EQ(get("/" + std::string(3000, 'a')).res.result(), http::status::uri_too_long);
  EXPECT_EQ(get("/.env").res.result(), http::status::not_found);
  EXPECT_EQ(get("/.git/config").res.result(), http::status::not_found);
  EXPECT_EQ(send(http::verb::post, "/img/cat.png").res.result(), http::status::method_not_allowed);
}

// Text in gzip or brotli: an encoded form per content, answered from memory on either path, with
// its own ETag, Vary on every answer about a text file, and never for a Range.
class encoded_handler_test : public static_handler_test {
 protected:
  encoded_handler_test() {
    site_.write("app.js", script_);
    store_->rescan();
  }
  std::string script_ = [] {
    std::string s;
    for (int i = 0; i < 2000; ++i) s += "console.log('line " + std::to_string(i % 50) + "');\n";
    return s;
  }();
};

TEST_F(encoded_handler_test, text_is_encoded_as_the_client_prefers_with_its_own_etag) {
  const auto tag = etag_of("/app.js");
  const auto br = get("/app.js", {{http::field::accept_encoding, "gzip, deflate, br"}});
  EXPECT_EQ(br.res[http::field::content_encoding], "br");
  EXPECT_EQ(br.res[http::field::etag], tag.substr(0, tag.size() - 1) + "-br\"");
  EXPECT_EQ(br.res[http::field::vary], "Accept-Encoding");
  EXPECT_LT(br.res.body().size(), script_.size() / 4);
  EXPECT_EQ(*br.served, content_hash::of(script_));  // the visitor holds the content
  const auto gz = get("/app.js", {{http::field::accept_encoding, "gzip"}});
  EXPECT_EQ(gz.res[http::field::content_encoding], "gzip");
  EXPECT_EQ(gz.res[http::field::etag], tag.substr(0, tag.size() - 1) + "-gzip\"");
  const auto plain = get("/app.js");
  EXPECT_EQ(plain.res.count(http::field::content_encoding), 0u);
  EXPECT_EQ(plain.res[http::field::etag], tag);
  EXPECT_EQ(plain.res[http::field::vary], "Accept-Encoding");
  EXPECT_TRUE(plain.res.body() == script_);
  EXPECT_EQ(handler_->encoded().compressions(), 2u);
  get("/app.js", {{http::field::accept_encoding, "br"}});
  EXPECT_EQ(handler_->encoded().compressions(), 2u);  // made once, not per request
}

TEST_F(encoded_handler_test, conditional_requests_compare_the_encoded_tag) {
  const auto br = get("/app.js", {{http::field::accept_encoding, "br"}});
  const std::string br_tag(br.res[http::field::etag]);
  EXPECT_EQ(
      get("/app.js", {{http::field::accept_encoding, "br"}, {http::field::if_none_match, br_tag}})
          .res.result(),
      http::status::not_modified);
  // The gzip form is another representation: its tag does not validate the brotli one.
  EXPECT_EQ(
      get("/app.js", {{http::field::accept_encoding, "gzip"}, {http::field::if_none_match, br_tag}})
          .res.result(),
      http::status::ok);
}

TEST_F(encoded_handler_test, ranges_come_from_the_identity_bytes) {
  const auto r =
      get("/app.js", {{http::field::accept_encoding, "br"}, {http::field::range, "bytes=0-9"}});
  EXPECT_EQ(r.res.result(), http::status::partial_content);
  EXPECT_EQ(r.res.count(http::field::content_encoding), 0u);
  EXPECT_EQ(r.res.body(), script_.substr(0, 10));
  EXPECT_EQ(r.res[http::field::etag], etag_of("/app.js"));
  EXPECT_EQ(r.res[http::field::vary], "Accept-Encoding");
}

TEST_F(encoded_handler_test, no_encoding_when_it_saves_nothing_or_for_binary_types) {
  site_.write("noise.txt", pattern_bytes(5000));
  store_->rescan();
  const auto noise = get("/noise.txt", {{http::field::accept_encoding, "br, gzip"}});
  EXPECT_EQ(noise.res.count(http::field::content_encoding), 0u);
  EXPECT_TRUE(noise.res.body() == pattern_bytes(5000));
  const auto png = get("/img/cat.png", {{http::field::accept_encoding, "br"}});
  EXPECT_EQ(png.res.count(http::field::content_encoding), 0u);
  EXPECT_EQ(png.res.count(http::field::vary), 0u);
}

TEST_F(encoded_handler_test, a_file_changed_since_hashed_is_not_encoded) {
  site_.write("app.js", script_ + "// edited\n");  // not rescanned: no hash to key a form by
  const auto r = get("/app.js", {{http::field::accept_encoding, "br"}});
  EXPECT_EQ(r.res.count(http::field::content_encoding), 0u);
  EXPECT_EQ(r.res.count(http::field::etag), 0u);
  EXPECT_TRUE(r.res.body() == script_ + "// edited\n");
}

TEST_F(encoded_handler_test, the_manifest_has_a_weak_content_etag_and_encodings) {
  http::request<http::string_body> req{http::verb::get, "/.circlecdn/manifest.json", 11};
  auto render = [&](http::request<http::string_body>& q) {
    auto gen = to_generator(std::move(handler_->manifest(q).message));
    return parse(render_bytes(gen), false);
  };
  const auto plain = render(req);
  EXPECT_EQ(plain.body(), store_->current()->json);
  EXPECT_EQ(plain[http::field::etag], "W/\"" + store_->current()->content_tag.hex() + "\"");
  EXPECT_EQ(plain[http::field::cache_control], "no-cache");
  req.set(http::field::if_none_match, std::string(plain[http::field::etag]));
  EXPECT_EQ(render(req).result(), http::status::not_modified);
  req.erase(http::field::if_none_match);
  req.set(http::field::accept_encoding, "gzip");
  const auto gz = render(req);
  EXPECT_EQ(gz[http::field::content_encoding], "gzip");
  EXPECT_NE(gz[http::field::etag], plain[http::field::etag]);
}

}  // namespace
}  // namespace circlecdn::origin
