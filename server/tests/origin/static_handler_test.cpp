// static_handler::handle against a real temporary site, responses rendered to bytes and parsed
// back.
#include "origin/static_handler.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace circlecdn::origin {
namespace {

namespace fs = std::filesystem;
using test::pattern_bytes;
using test::temp_dir;

struct rendered {
  http::response<http::string_body> res;
  std::optional<content_hash> served;
  std::string raw;
  bool cached = false;  // answered from the manifest's cache
};

// Serialises a message_generator the way a session would, then parses it back as a client.
std::string render_bytes(http::message_generator& gen) {
  std::string out;
  beast::error_code ec;
  while (!gen.is_done()) {
    const auto buffers = gen.prepare(ec);
    if (ec) throw beast::system_error(ec);
    const auto n = beast::buffer_bytes(buffers);
    out += beast::buffers_to_string(buffers);
    gen.consume(n);
  }
  return out;
}

http::response<http::string_body> parse(const std::string& raw, bool head) {
  http::response_parser<http::string_body> parser;
  parser.skip(head);
  parser.eager(true);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  beast::error_code ec;
  const auto used = parser.put(asio::buffer(raw), ec);
  if (ec == http::error::need_more) parser.put_eof(ec);
  EXPECT_FALSE(ec) << ec.message() << "\n" << raw.substr(0, 400);
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(used, raw.size()) << "bytes after the response";
  return parser.release();
}

class static_handler_test : public ::testing::Test {
 protected:
  static_handler_test() {
    site_.write("index.html", "<h1>home</h1>");
    site_.write("img/cat.png", "PNGDATA");
    site_.write("docs/index.html", "docs index");
    site_.write("my dir/index.html", "spaced");
    site_.write("empty/.keep", "");
    site_.write("data.bin", pattern_bytes(1024 * 1024));
    site_.write("ten.txt", "0123456789");
    site_.write("zero.txt", "");
    site_.write(".env", "SECRET=1");
    site_.write(".git/config", "[core]");
    site_.write(".well-known/security.txt", "Contact: x");
    site_.write("caf\xc3\xa9.txt", "unicode");
    outside_.write("secret.txt", "outside secret");
    store_ = std::make_unique<manifest::store>(site_.path());
    handler_ = std::make_unique<static_handler>(site_.path(), *store_);
  }

  rendered send(http::verb method, std::string target,
                std::vector<std::pair<http::field, std::string>> headers = {},
                unsigned version = 11, bool keep_alive = true) {
    http::request<http::string_body> req{method, target, version};
    req.keep_alive(keep_alive);
    for (auto& [f, v] : headers) req.set(f, v);
    auto result = handler_->handle(req, extra_);
    rendered r;
    r.served = result.served;
    r.cached = std::holds_alternative<cached_response>(result.message);
    auto gen = to_generator(std::move(result.message));
    r.raw = render_bytes(gen);
    r.res = parse(r.raw, method == http::verb::head);
    return r;
  }
  rendered get(std::string target, std::vector<std::pair<http::field, std::string>> headers = {}) {
    return send(http::verb::get, std::move(target), std::move(headers));
  }

  std::string etag_of(const std::string& url) {
    const auto* e = store_->current()->find(url);
    EXPECT_NE(e, nullptr) << url;
    return e ? "\"" + e->sha256.hex() + "\"" : "";
  }

  temp_dir site_, outside_;
  std::unique_ptr<manifest::store> store_;
  std::unique_ptr<static_handler> handler_;
  std::vector<std::pair<http::field, std::string>> extra_;
};

TEST_F(static_handler_test, get_serves_file_with_headers_and_records_hash) {
  const auto r = get("/img/cat.png");
  EXPECT_EQ(r.res.result(), http::status::ok);
  EXPECT_EQ(r.res.body(), "PNGDATA");
  EXPECT_EQ(r.res[http::field::content_type], "image/png");
  EXPECT_EQ(r.res[http::field::content_length], "7");
  EXPECT_EQ(r.res[http::field::etag], etag_of("/img/cat.png"));
  EXPECT_EQ(r.res[http::field::accept_ranges], "bytes");
  EXPECT_EQ(r.res[http::field::cache_control], "public, max-age=0, must-revalidate");
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

TEST_F(static_handler_test, extra_headers_go_on_every_response) {
  extra_ = {{http::field::set_cookie, "circle_id=abc; Path=/"}};
  const auto tag = etag_of("/ten.txt");
  std::vector<rendered> all;
  all.push_back(get("/ten.txt"));
  all.push_back(get("/ten.txt", {{http::field::if_none_match, tag}}));
  all.push_back(get("/ten.txt", {{http::field::range, "bytes=1-2"}}));
  all.push_back(get("/ten.txt", {{http::field::range, "bytes=20-"}}));
  all.push_back(get("/missing"));
  all.push_back(get("/docs"));
  all.push_back(send(http::verb::post, "/ten.txt"));
  all.push_back(send(http::verb::head, "/ten.txt"));
  for (const auto& r : all) {
    EXPECT_EQ(r.res[http::field::set_cookie], "circle_id=abc; Path=/") << r.res.result_int();
    EXPECT_EQ(r.res[http::field::server], "circlecdn");
  }
}

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
  // The same request through the general path (the watcher stopped), for comparison.
  rendered uncached(http::verb method, std::string target,
                    std::vector<std::pair<http::field, std::string>> headers = {},
                    bool keep_alive = true) {
    store_->watch_stopped();
    auto r = send(method, std::move(target), std::move(headers), 11, keep_alive);
    settle();
    return r;
  }
};

// Every header field but Date, which moves on when the two answers straddle a second (seen under
// ASan on a loaded machine: a 1 MiB body read twice).
std::vector<std::string> fields_of(const http::response<http::string_body>& res) {
  std::vector<std::string> out;
  for (const auto& f : res)
    if (f.name() != http::field::date)
      out.push_back(std::string(f.name_string()) + ": " + std::string(f.value()));
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(cached_handler_test, answers_match_the_general_path) {
  struct rcase {
    http::verb method;
    std::string target;
    std::vector<std::pair<http::field, std::string>> headers;
    bool keep_alive = true;
  };
  const auto tag = etag_of("/img/cat.png");
  const std::vector<rcase> cases = {
      {http::verb::get, "/img/cat.png", {}},
      {http::verb::head, "/img/cat.png", {}},
      {http::verb::get, "/img/cat.png", {{http::field::if_none_match, tag}}},
      {http::verb::head, "/img/cat.png", {{http::field::if_none_match, "W/" + tag}}},
      {http::verb::get, "/img/cat.png", {{http::field::if_none_match, "\"other\""}}},
      {http::verb::get, "/img/cat.png?v=1", {}, false},
      {http::verb::get, "/", {}},
      {http::verb::get, "/docs/", {}},
      {http::verb::get, "/my%20dir/", {}},
      {http::verb::get, "/caf%C3%A9.txt", {}},
      {http::verb::get, "/.well-known/security.txt", {}},
      {http::verb::get, "/zero.txt", {}},
      {http::verb::get, "/data.bin", {}},  // 1 MiB: a cached descriptor
      {http::verb::head, "/data.bin", {}},
      {http::verb::get, "/data.bin", {{http::field::if_none_match, "*"}}},
      {http::verb::get, "/ten.txt", {{http::field::range, "bytes=2-5"}}},
      {http::verb::get, "/ten.txt", {{http::field::range, "bytes=7-"}}, false},
      {http::verb::get, "/ten.txt", {{http::field::range, "bytes=-2"}}},
      {http::verb::get, "/ten.txt", {{http::field::range, "bytes=0-100"}}},
      {http::verb::get, "/ten.txt", {{http::field::range, "bytes=10-"}}},
      {http::verb::get, "/zero.txt", {{http::field::range, "bytes=0-"}}},
      {http::verb::get, "/ten.txt", {{http::field::range, "bytes=0-1,3-4"}}},
      {http::verb::get, "/ten.txt", {{http::field::range, "lines=1-2"}}},
      {http::verb::get,
       "/ten.txt",
       {{http::field::range, "bytes=0-1"}, {http::field::if_range, etag_of("/ten.txt")}}},
      {http::verb::get,
       "/ten.txt",
       {{http::field::range, "bytes=0-1"}, {http::field::if_range, "\"old\""}}},
      {http::verb::get,
       "/ten.txt",
       {{http::field::range, "bytes=0-1"}, {http::field::if_none_match, etag_of("/ten.txt")}}},
      {http::verb::head, "/ten.txt", {{http::field::range, "bytes=0-1"}}},
      {http::verb::get, "/data.bin", {{http::field::range, "bytes=100000-900000"}}},
      {http::verb::get, "/data.bin", {{http::field::range, "bytes=-1"}}},
      {http::verb::get, "/data.bin", {{http::field::range, "bytes=2000000-"}}},
  };
  for (const bool with_cookie : {false, true}) {
    extra_.clear();
    if (with_cookie) extra_ = {{http::field::set_cookie, "circle_id=abc; Path=/"}};
    for (const auto& c : cases) {
      const auto fast = send(c.method, c.target, c.headers, 11, c.keep_alive);
      const auto slow = uncached(c.method, c.target, c.headers, c.keep_alive);
      EXPECT_TRUE(fast.cached) << c.target;
      EXPECT_FALSE(slow.cached) << c.target;
      EXPECT_EQ(fast.res.result(), slow.res.result()) << c.target;
      EXPECT_EQ(fields_of(fast.res), fields_of(slow.res)) << c.target;
      EXPECT_TRUE(fast.res.body() == slow.res.body()) << c.target;
      EXPECT_EQ(fast.served, slow.served) << c.target;
      EXPECT_EQ(fast.res.keep_alive(), c.keep_alive) << c.target;
    }
  }
}

TEST_F(cached_handler_test, http10_and_misses_take_the_general_path) {
  auto r = send(http::verb::get, "/ten.txt", {}, 10, true);
  EXPECT_FALSE(r.cached);
  EXPECT_EQ(r.res.body(), "0123456789");
  EXPECT_EQ(get("/docs").res.result(), http::status::moved_permanently);
  EXPECT_EQ(get("/nope").res.result(), http::status::not_found);
  EXPECT_EQ(get("/img/cat.png/").res.result(), http::status::not_found);
}

TEST_F(cached_handler_test, a_reported_change_turns_the_cache_off_until_the_rescan) {
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
  r = get("/img/cat.png");
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
  const auto r = get("/data.bin");
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

}  // namespace
}  // namespace circlecdn::origin
