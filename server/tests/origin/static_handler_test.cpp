// The static handler from disk: the file-system policy (dotfiles, symlinks, directories, hostile
// targets) and that the plan's rules (response_plan_test.cpp) reach the wire.
#include "origin/static_handler_fixture.hpp"

namespace circlecdn::origin {
namespace {

namespace fs = std::filesystem;
using test::pattern_bytes;

TEST_F(static_handler_test, get_serves_file_with_headers_and_records_hash) {
  const auto r = get("/img/cat.png");
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res.body(), "PNGDATA");
  EXPECT_EQ(r.res[http::field::content_type], "image/png");
  EXPECT_EQ(r.res[http::field::content_length], "7");
  EXPECT_EQ(r.res[http::field::etag], etag_of("/img/cat.png"));
  EXPECT_EQ(r.res[http::field::accept_ranges], "bytes");
  EXPECT_EQ(r.res[http::field::cache_control], "no-cache");
  EXPECT_EQ(r.res[http::field::last_modified],
            format_http_date(static_cast<std::time_t>(
                store_->current()->find("/img/cat.png")->version.mtime_ns / 1'000'000'000)));
  EXPECT_EQ(r.res[http::field::server], "circlecdn");
  EXPECT_TRUE(r.res.keep_alive());
  ASSERT_TRUE(r.served);
  EXPECT_EQ(*r.served, content_hash::of("PNGDATA"));
}

TEST_F(static_handler_test, large_file_body_is_complete) {
  const auto r = get("/data.bin");
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res.body(), pattern_bytes(1024 * 1024));
  EXPECT_EQ(r.res[http::field::content_type], "application/octet-stream");
}

TEST_F(static_handler_test, empty_file) {
  const auto r = get("/zero.txt");
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res[http::field::content_length], "0");
  EXPECT_EQ(r.res.body(), "");
  EXPECT_TRUE(r.served);
}

TEST_F(static_handler_test, head_has_headers_but_no_body_and_records_nothing) {
  const auto r = send(http::verb::head, "/img/cat.png");
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res[http::field::content_length], "7");
  EXPECT_EQ(r.res[http::field::etag], etag_of("/img/cat.png"));
  EXPECT_EQ(r.raw.substr(r.raw.size() - 4), "\r\n\r\n");  // nothing after the header
  EXPECT_FALSE(r.served);
}

TEST_F(static_handler_test, head_of_error_has_no_body) {
  const auto r = send(http::verb::head, "/missing");
  EXPECT_EQ(r.res.result(), http::status::not_found);
  EXPECT_EQ(r.raw.substr(r.raw.size() - 4), "\r\n\r\n");
}

TEST_F(static_handler_test, other_methods_are_405_with_allow) {
  for (auto method : {http::verb::post, http::verb::put, http::verb::delete_, http::verb::options,
                      http::verb::patch}) {
    const auto r = send(method, "/index.html");
    EXPECT_EQ(r.res.result(), http::status::method_not_allowed);
    EXPECT_EQ(r.res[http::field::allow], "GET, HEAD");
    EXPECT_FALSE(r.served);
  }
}

TEST_F(static_handler_test, hostile_targets_map_to_status_codes) {
  EXPECT_EQ(get("/../etc/passwd").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/%2e%2e/etc/passwd").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/img%2fcat.png").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/img\\cat.png").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/a%00").res.result(), http::status::bad_request);
  EXPECT_EQ(get("http://x/../").res.result(), http::status::bad_request);
  EXPECT_EQ(get("/" + std::string(3000, 'a')).res.result(), http::status::uri_too_long);
}

TEST_F(static_handler_test, missing_file_is_404) {
  EXPECT_EQ(get("/nope.html").res.result(), http::status::not_found);
  EXPECT_EQ(get("/img/cat.png/").res.result(), http::status::not_found);
  EXPECT_EQ(get("/img/cat.png/x").res.result(), http::status::not_found);
}

TEST_F(static_handler_test, dotfiles_are_hidden_but_well_known_is_served) {
  EXPECT_EQ(get("/.env").res.result(), http::status::not_found);
  EXPECT_EQ(get("/.git/config").res.result(), http::status::not_found);
  EXPECT_EQ(get("/empty/.keep").res.result(), http::status::not_found);
  const auto r = get("/.well-known/security.txt");
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res.body(), "Contact: x");
}

TEST_F(static_handler_test, leak_backup_and_editor_files_are_not_served) {
  for (const char* name : {"index.html~", "db.BAK", ".index.html.swp", "a.orig", "#x#", "o.bak/f"})
    site_.write(name, "PASSWORD=hunter2");
  store_->rescan();
  for (const char* target : {"/index.html~", "/index.html%7E", "/db.BAK", "/.index.html.swp",
                             "/a.orig", "/%23x%23", "/o.bak/f"})
    EXPECT_EQ(get(target).res.result(), http::status::not_found) << target;
}

TEST_F(static_handler_test, query_is_ignored) {
  EXPECT_EQ(get("/img/cat.png?v=2").res.body(), "PNGDATA");
}

TEST_F(static_handler_test, percent_encoded_names_are_decoded) {
  EXPECT_EQ(get("/caf%C3%A9.txt").res.body(), "unicode");
  EXPECT_EQ(get("/my%20dir/").res.body(), "spaced");
}

TEST_F(static_handler_test, directory_with_slash_serves_index) {
  const auto root = get("/");
  EXPECT_EQ(root.res.result(), http::status::ok);
  EXPECT_EQ(root.res.body(), "<h1>home</h1>");
  EXPECT_EQ(root.res[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(root.res[http::field::etag], etag_of("/index.html"));
  EXPECT_TRUE(root.served);
  EXPECT_EQ(get("/docs/").res.body(), "docs index");
}

TEST_F(static_handler_test, directory_without_slash_redirects) {
  const auto r = get("/docs?x=1");
  EXPECT_EQ(r.res.result(), http::status::moved_permanently);
  EXPECT_EQ(r.res[http::field::location], "/docs/?x=1");
  EXPECT_EQ(get("/my%20dir").res[http::field::location], "/my%20dir/");
  EXPECT_FALSE(r.served);
}

TEST_F(static_handler_test, directory_without_index_is_404) {
  EXPECT_EQ(get("/empty/").res.result(), http::status::not_found);
  EXPECT_EQ(get("/img/").res.result(), http::status::not_found);
}

TEST_F(static_handler_test, symlink_to_outside_is_403) {
  fs::create_symlink(outside_.path() / "secret.txt", site_.path() / "leak.txt");
  fs::create_symlink("/etc/passwd", site_.path() / "passwd");
  fs::create_symlink(outside_.path(), site_.path() / "outdir");
  EXPECT_EQ(get("/leak.txt").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/passwd").res.result(), http::status::forbidden);
  EXPECT_EQ(get("/outdir/secret.txt").res.result(), http::status::forbidden);
}

TEST_F(static_handler_test, index_symlinked_outside_is_403) {
  fs::create_directory(site_.path() / "trap");
  fs::create_symlink(outside_.path() / "secret.txt", site_.path() / "trap" / "index.html");
  EXPECT_EQ(get("/trap/").res.result(), http::status::forbidden);
}

TEST_F(static_handler_test, symlink_inside_root_is_served) {
  fs::create_symlink(site_.path() / "img" / "cat.png", site_.path() / "alias.png");
  const auto r = get("/alias.png");
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res.body(), "PNGDATA");
}

TEST_F(static_handler_test, non_regular_files_are_404) {
  ASSERT_EQ(::mkfifo((site_.path() / "pipe").c_str(), 0644), 0);
  EXPECT_EQ(get("/pipe").res.result(), http::status::not_found);
}

TEST_F(static_handler_test, no_etag_when_file_differs_from_manifest) {
  site_.write("img/cat.png", "CHANGED BYTES");  // the store has not rescanned
  const auto r = get("/img/cat.png");
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res.body(), "CHANGED BYTES");
  EXPECT_EQ(r.res.count(http::field::etag), 0u);
  EXPECT_FALSE(r.served);
  store_->rescan();
  const auto after = get("/img/cat.png");
  EXPECT_EQ(after.res[http::field::etag], etag_of("/img/cat.png"));
  EXPECT_EQ(*after.served, content_hash::of("CHANGED BYTES"));
}

TEST_F(static_handler_test, no_etag_for_file_not_in_manifest) {
  site_.write("new.txt", "new");
  const auto r = get("/new.txt");
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res.count(http::field::etag), 0u);
  EXPECT_FALSE(r.served);
}

TEST_F(static_handler_test, if_none_match_gives_304) {
  const auto tag = etag_of("/img/cat.png");
  for (const std::string& header : {tag, "\"aaaa\", " + tag, "W/" + tag, std::string("*")}) {
    const auto r = get("/img/cat.png", {{http::field::if_none_match, header}});
    EXPECT_EQ(r.res.result(), http::status::not_modified) << header;
    EXPECT_EQ(r.res[http::field::etag], tag);
    EXPECT_EQ(r.res.body(), "");
    EXPECT_EQ(r.raw.substr(r.raw.size() - 4), "\r\n\r\n");
    EXPECT_FALSE(r.served);  // no bytes went out: nothing to record
  }
}

TEST_F(static_handler_test, if_none_match_mismatch_gives_200) {
  const auto r = get("/img/cat.png", {{http::field::if_none_match, "\"0123\", W/\"4567\""}});
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res.body(), "PNGDATA");
}

TEST_F(static_handler_test, if_none_match_on_missing_file_is_404) {
  EXPECT_EQ(get("/nope", {{http::field::if_none_match, "*"}}).res.result(),
            http::status::not_found);
}

TEST_F(static_handler_test, range_forms_give_206) {
  struct rcase {
    const char* header;
    const char* body;
    const char* content_range;
  };
  for (const auto& c :
       {rcase{"bytes=2-5", "2345", "bytes 2-5/10"}, rcase{"bytes=7-", "789", "bytes 7-9/10"},
        rcase{"bytes=-2", "89", "bytes 8-9/10"},
        rcase{"bytes=0-100", "0123456789", "bytes 0-9/10"}}) {
    const auto r = get("/ten.txt", {{http::field::range, c.header}});
    EXPECT_EQ(r.res.result(), http::status::partial_content) << c.header;
    EXPECT_EQ(r.res.body(), c.body);
    EXPECT_EQ(r.res[http::field::content_range], c.content_range);
    EXPECT_EQ(r.res[http::field::content_type], "text/plain; charset=utf-8");
    EXPECT_EQ(r.res[http::field::etag], etag_of("/ten.txt"));
    EXPECT_FALSE(r.served);  // a part is not the file: only a whole 200 body is recorded
  }
}

TEST_F(static_handler_test, range_across_read_chunks) {
  const auto data = pattern_bytes(1024 * 1024);
  const auto r = get("/data.bin", {{http::field::range, "bytes=100000-900000"}});
  EXPECT_EQ(r.res.result(), http::status::partial_content);
  EXPECT_EQ(r.res.body(), data.substr(100000, 800001));
  EXPECT_EQ(r.res[http::field::content_range], "bytes 100000-900000/1048576");
}

TEST_F(static_handler_test, unsatisfiable_range_is_416) {
  for (const char* header : {"bytes=10-", "bytes=50-60", "bytes=-0"}) {
    const auto r = get("/ten.txt", {{http::field::range, header}});
    EXPECT_EQ(r.res.result(), http::status::range_not_satisfiable) << header;
    EXPECT_EQ(r.res[http::field::content_range], "bytes */10");
    EXPECT_FALSE(r.served);
  }
  EXPECT_EQ(get("/zero.txt", {{http::field::range, "bytes=0-"}}).res.result(),
            http::status::range_not_satisfiable);
}

TEST_F(static_handler_test, multiple_or_invalid_ranges_give_full_200) {
  for (const char* header : {"bytes=0-1,3-4", "bytes=5-2", "lines=1-2"}) {
    const auto r = get("/ten.txt", {{http::field::range, header}});
    EXPECT_EQ(r.res.result(), http::status::ok) << header;
    EXPECT_EQ(r.res.body(), "0123456789");
  }
}

TEST_F(static_handler_test, if_range_must_match_the_etag) {
  const auto tag = etag_of("/ten.txt");
  auto r = get("/ten.txt", {{http::field::range, "bytes=0-1"}, {http::field::if_range, tag}});
  EXPECT_EQ(r.res.result(), http::status::partial_content);
  r = get("/ten.txt", {{http::field::range, "bytes=0-1"}, {http::field::if_range, "\"old\""}});
  EXPECT_EQ(r.res.result(), http::status::ok);
  r = get("/ten.txt", {{http::field::range, "bytes=0-1"},
                       {http::field::if_range, "Wed, 21 Oct 2015 07:28:00 GMT"}});
  EXPECT_EQ(r.res.result(), http::status::ok);
}

TEST_F(static_handler_test, head_ignores_range) {
  const auto r = send(http::verb::head, "/ten.txt", {{http::field::range, "bytes=0-1"}});
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res[http::field::content_length], "10");
}

TEST_F(static_handler_test, keep_alive_follows_the_request) {
  EXPECT_TRUE(send(http::verb::get, "/ten.txt", {}, 11, true).res.keep_alive());
  EXPECT_FALSE(send(http::verb::get, "/ten.txt", {}, 11, false).res.keep_alive());
  EXPECT_FALSE(send(http::verb::get, "/ten.txt", {}, 10, false).res.keep_alive());
  const auto r10 = send(http::verb::get, "/ten.txt", {}, 10, true);
  EXPECT_TRUE(r10.res.keep_alive());
  EXPECT_EQ(r10.res.version(), 10u);
  EXPECT_FALSE(send(http::verb::get, "/missing", {}, 11, false).res.keep_alive());
}

// The visitor cookie goes only on HTML, which is then private: a shared cache that stored an
// asset, or a 404, with Set-Cookie would hand one visitor's secret to everyone after.
TEST_F(static_handler_test, the_cookie_goes_only_on_html_which_is_then_private) {
  new_cookie_ = "circle_id=abc; Path=/";
  const auto tag = etag_of("/ten.txt");
  std::vector<rendered> assets;
  assets.push_back(get("/ten.txt"));
  assets.push_back(get("/ten.txt", {{http::field::if_none_match, tag}}));
  assets.push_back(get("/ten.txt", {{http::field::range, "bytes=1-2"}}));
  assets.push_back(get("/ten.txt", {{http::field::range, "bytes=20-"}}));
  assets.push_back(get("/img/cat.png"));
  assets.push_back(get("/missing"));
  assets.push_back(get("/docs"));
  assets.push_back(send(http::verb::post, "/ten.txt"));
  assets.push_back(send(http::verb::head, "/ten.txt"));
  for (const auto& r : assets) {
    EXPECT_EQ(r.res.count(http::field::set_cookie), 0u) << r.res.result_int();
    EXPECT_FALSE(r.cookie_set);
    EXPECT_EQ(r.res[http::field::server], "circlecdn");
  }
  for (const char* page : {"/", "/docs/", "/index.html"}) {
    const auto r = get(page);
    EXPECT_EQ(r.res[http::field::set_cookie], "circle_id=abc; Path=/") << page;
    EXPECT_EQ(r.res[http::field::cache_control], "private, no-cache") << page;
    EXPECT_TRUE(r.cookie_set);
  }
  new_cookie_.clear();  // a returning visitor: the page is as cacheable as any
  EXPECT_EQ(get("/").res[http::field::cache_control], "no-cache");
  EXPECT_EQ(get("/").res.count(http::field::set_cookie), 0u);
}

}  // namespace
}  // namespace circlecdn::origin
