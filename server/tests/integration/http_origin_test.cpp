// The static origin through the real server over real TCP: hostile targets, methods, limits,
// conditional and range requests, keep-alive with pipelining, directory indexes.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "app/server.hpp"
#include "core/content_hash.hpp"
#include "support/http_client.hpp"
#include "support/operator_token.hpp"
#include "support/temp_dir.hpp"

namespace circlecdn {
namespace {

namespace fs = std::filesystem;
using test::build_request;
using test::get;
using test::http_connection;
using test::request;

class http_origin_test : public ::testing::Test {
 protected:
  void SetUp() override {
    site_.write("index.html", "<h1>home</h1>");
    site_.write("docs/index.html", "docs index");
    site_.write("ten.txt", "0123456789");
    site_.write("img/cat.png", "PNGDATA");
    site_.write(".env", "SECRET=1");
    fs::create_symlink("/etc/passwd", site_.path() / "passwd");
    fs::create_symlink("/etc", site_.path() / "etc");
    app::config cfg;
    cfg.site = site_.path();
    cfg.listen_port = 0;
    cfg.operator_token = test::operator_token;
    server_ = std::make_unique<app::server>(cfg);
    port_ = server_->start();
  }
  void TearDown() override { server_->stop(); }

  test::temp_dir site_;
  std::unique_ptr<app::server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(http_origin_test, serves_a_file) {
  const auto r = get(port_, "/img/cat.png");
  EXPECT_EQ(r.result(), http::status::ok);
  EXPECT_EQ(r.body(), "PNGDATA");
  EXPECT_EQ(r[http::field::content_type], "image/png");
  EXPECT_EQ(r[http::field::etag], "\"" + content_hash::of("PNGDATA").hex() + "\"");
  EXPECT_EQ(r[http::field::server], "circlecdn");
}

// RFC 9110 section 6.6.1: an origin server with a clock sends Date on every response.
TEST_F(http_origin_test, every_response_carries_a_date) {
  const std::regex imf(
      R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)");
  auto etag = "\"" + content_hash::of("PNGDATA").hex() + "\"";
  std::vector<std::pair<std::string, test::http_response>> answers;
  answers.emplace_back("200", get(port_, "/img/cat.png"));
  answers.emplace_back("304", get(port_, "/img/cat.png", {{"If-None-Match", etag}}));
  answers.emplace_back("206", get(port_, "/ten.txt", {{"Range", "bytes=3-5"}}));
  answers.emplace_back("416", get(port_, "/ten.txt", {{"Range", "bytes=50-"}}));
  answers.emplace_back("404", get(port_, "/nothing-here"));
  answers.emplace_back("405", request(port_, "POST", "/img/cat.png"));
  answers.emplace_back("manifest", get(port_, "/.circlecdn/manifest.json"));
  answers.emplace_back("stats", get(port_, "/.circlecdn/stats", test::operator_auth()));
  for (auto& [what, r] : answers) {
    std::string date(r[http::field::date]);
    EXPECT_TRUE(std::regex_match(date, imf)) << what << ": Date is '" << date << "'";
  }
}

// Found by an attacker: the manifest listed, and the origin served, index.html~ with a password
// in it. Backups and editor files are now private like dotfiles.
TEST_F(http_origin_test, leak_backup_and_editor_files_are_neither_listed_nor_served) {
  for (const char* name : {"index.html~", "wp-config.php.bak", ".index.html.swp", "a.orig", "#a#"})
    site_.write(name, "PASSWORD=hunter2");
  const auto manifest = get(port_, "/.circlecdn/manifest.json").body();
  EXPECT_EQ(manifest.find("hunter2"), std::string::npos);
  for (const char* target : {"/index.html~", "/index.html%7e", "/wp-config.php.bak",
                             "/.index.html.swp", "/a.orig", "/%23a%23"}) {
    const auto r = get(port_, target);
    EXPECT_EQ(r.result(), http::status::not_found) << target;
    EXPECT_EQ(r.body().find("hunter2"), std::string::npos) << target;
  }
}

TEST_F(http_origin_test, hostile_targets_are_refused) {
  struct hostile {
    std::string target;
    std::vector<unsigned> statuses;  // acceptable answers
  };
  const std::vector<hostile> cases = {
      {"/../etc/passwd", {403}},
      {"/../../../../etc/passwd", {403}},
      {"/%2e%2e/etc/passwd", {403}},
      {"/%2E%2E%2Fetc%2Fpasswd", {403}},
      {"/img/%2e%2e/%2e%2e/etc/passwd", {403}},
      {"/img%2fcat.png", {403}},
      {"/%2F..%2F..%2Fetc%2Fpasswd", {403}},
      {"/%5c..%5c..%5cetc%5cpasswd", {403}},
      {"/..%5c..%5cetc/passwd", {403}},
      // A raw backslash: refused by the origin (403), or by the HTTP parser first (400).
      {"/..\\..\\etc\\passwd", {400, 403}},
      {"/ten.txt%00.png", {400}},
      {"/%00", {400}},
      {"/" + std::string(3000, 'a'), {414}},
      {"/passwd", {403}},
      {"/etc/passwd", {403}},
      {"http://x/../", {400}},
      {"http://x/etc/passwd", {400}},
      {"/.env", {404}},
  };
  for (const auto& c : cases) {
    const auto r = get(port_, c.target);
    EXPECT_TRUE(std::find(c.statuses.begin(), c.statuses.end(), r.result_int()) != c.statuses.end())
        << c.target.substr(0, 80) << " -> " << r.result_int();
    EXPECT_EQ(r.body().find("root:"), std::string::npos) << c.target.substr(0, 80);
    EXPECT_EQ(r.body().find("SECRET"), std::string::npos) << c.target.substr(0, 80);
  }
}

TEST_F(http_origin_test, raw_nul_in_target_is_refused) {
  const std::string raw = std::string("GET /ten.txt\0.png HTTP/1.1\r\nHost: x\r\n\r\n", 40);
  const auto responses = test::exchange(port_, raw);
  EXPECT_EQ(responses.front().result(), http::status::bad_request);
}

TEST_F(http_origin_test, other_methods_are_405) {
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    const auto r = request(port_, method, "/ten.txt", {}, "x=1");
    EXPECT_EQ(r.result(), http::status::method_not_allowed) << method;
    EXPECT_EQ(r[http::field::allow], "GET, HEAD") << method;
  }
}

TEST_F(http_origin_test, oversized_header_is_431) {
  const auto r = get(port_, "/ten.txt", {{"X-Filler", std::string(20 * 1024, 'h')}});
  EXPECT_EQ(r.result(), http::status::request_header_fields_too_large);
}

TEST_F(http_origin_test, head_has_length_but_no_body) {
  http_connection c(port_);
  c.write(build_request("HEAD", "/ten.txt") + build_request("GET", "/img/cat.png"));
  const auto head = c.read(true);
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_EQ(head[http::field::content_length], "10");
  EXPECT_EQ(head.body(), "");
  // If HEAD had leaked a body, this would parse "0123456789" as a response and fail.
  const auto next = c.read();
  EXPECT_EQ(next.body(), "PNGDATA");
}

TEST_F(http_origin_test, ranges) {
  auto r = get(port_, "/ten.txt", {{"Range", "bytes=3-5"}});
  EXPECT_EQ(r.result(), http::status::partial_content);
  EXPECT_EQ(r.body(), "345");
  EXPECT_EQ(r[http::field::content_range], "bytes 3-5/10");
  EXPECT_EQ(r[http::field::accept_ranges], "bytes");
  r = get(port_, "/ten.txt", {{"Range", "bytes=-4"}});
  EXPECT_EQ(r.body(), "6789");
  r = get(port_, "/ten.txt", {{"Range", "bytes=10-"}});
  EXPECT_EQ(r.result(), http::status::range_not_satisfiable);
  EXPECT_EQ(r[http::field::content_range], "bytes */10");
  r = get(port_, "/ten.txt", {{"Range", "bytes=0-1,4-5"}});
  EXPECT_EQ(r.result(), http::status::ok);
  EXPECT_EQ(r.body(), "0123456789");
}

// Large bodies go out through sendfile(2): exact bytes, ranges anywhere, and the connection stays
// usable for the next pipelined response.
TEST_F(http_origin_test, large_files_arrive_byte_exact) {
  const auto big = test::pattern_bytes(8 * 1024 * 1024 + 123, 7);
  site_.write("big.bin", big);
  http_connection c(port_);
  c.write(build_request("GET", "/big.bin") +
          build_request("GET", "/big.bin", {{"Range", "bytes=262140-5000000"}}) +
          build_request("GET", "/ten.txt"));
  const auto responses = c.read_many(3);
  EXPECT_EQ(responses[0].result(), http::status::ok);
  EXPECT_TRUE(responses[0].body() == big);
  EXPECT_EQ(responses[1].result(), http::status::partial_content);
  EXPECT_TRUE(responses[1].body() == big.substr(262140, 5000000 - 262140 + 1));
  EXPECT_EQ(responses[2].body(), "0123456789");
}

// A visitor that vanishes mid-body (sendfile into a reset socket) costs its own connection only.
TEST_F(http_origin_test, client_dropping_mid_body_leaves_the_server_serving) {
  site_.write("big.bin", test::pattern_bytes(16 * 1024 * 1024, 9));
  for (int i = 0; i < 3; ++i) {
    http_connection c(port_);
    c.write(build_request("GET", "/big.bin"));
    char some[4096];
    c.socket().read_some(asio::buffer(some));
    c.socket().set_option(asio::socket_base::linger(true, 0));  // close with RST
    c.socket().close();
  }
  EXPECT_EQ(get(port_, "/ten.txt").body(), "0123456789");
}

TEST_F(http_origin_test, if_none_match_gives_304) {
  const auto first = get(port_, "/ten.txt");
  const std::string etag(first[http::field::etag]);
  ASSERT_FALSE(etag.empty());
  const auto again = get(port_, "/ten.txt", {{"If-None-Match", etag}});
  EXPECT_EQ(again.result(), http::status::not_modified);
  EXPECT_EQ(again.body(), "");
  EXPECT_EQ(again[http::field::etag], etag);
  const auto other = get(port_, "/ten.txt", {{"If-None-Match", "\"nope\""}});
  EXPECT_EQ(other.result(), http::status::ok);
}

TEST_F(http_origin_test, pipelined_requests_are_answered_in_order) {
  http_connection c(port_);
  c.write(build_request("GET", "/ten.txt") + build_request("GET", "/img/cat.png"));
  const auto responses = c.read_many(2);
  EXPECT_EQ(responses[0].body(), "0123456789");
  EXPECT_EQ(responses[1].body(), "PNGDATA");
  EXPECT_TRUE(responses[1].keep_alive());
  // The connection is still usable afterwards.
  c.write(build_request("GET", "/docs/"));
  EXPECT_EQ(c.read().body(), "docs index");
}

TEST_F(http_origin_test, connection_close_is_honoured) {
  http_connection c(port_);
  c.write(build_request("GET", "/ten.txt", {{"Connection", "close"}}));
  const auto r = c.read();
  EXPECT_EQ(r.body(), "0123456789");
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(http_origin_test, directory_serves_index) {
  EXPECT_EQ(get(port_, "/").body(), "<h1>home</h1>");
  EXPECT_EQ(get(port_, "/docs/").body(), "docs index");
  const auto r = get(port_, "/docs");
  EXPECT_EQ(r.result(), http::status::moved_permanently);
  EXPECT_EQ(r[http::field::location], "/docs/");
}

TEST_F(http_origin_test, missing_file_is_404) {
  EXPECT_EQ(get(port_, "/nope.html").result(), http::status::not_found);
}

// Answers come from the manifest's open-file cache while the watcher vouches for it; a change on
// disk reaches visitors as soon as the watcher has read its event. Polls with a generous deadline
// (a safety net, not a timing assertion).
constexpr auto change_deadline = std::chrono::seconds(20);

template <class Pred>
bool eventually(Pred pred) {
  const auto until = std::chrono::steady_clock::now() + change_deadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST_F(http_origin_test, replaced_file_is_served_with_its_new_hash) {
  EXPECT_EQ(get(port_, "/ten.txt").body(), "0123456789");
  site_.write(".ten.tmp", "ten, replaced");
  fs::rename(site_.path() / ".ten.tmp", site_.path() / "ten.txt");
  const std::string tag = "\"" + content_hash::of("ten, replaced").hex() + "\"";
  ASSERT_TRUE(eventually([&] {
    const auto r = get(port_, "/ten.txt");
    EXPECT_TRUE(r.body() == "ten, replaced" || r.body() == "0123456789") << r.body();
    return r[http::field::etag] == tag;
  }));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(get(port_, "/ten.txt").body(), "ten, replaced");
}

// Once the manifest has the file (its ETag is sent), answers come from the cached descriptor:
// whole, a range at an offset (sendfile after a MSG_MORE header) and a small file from memory,
// pipelined on one connection.
TEST_F(http_origin_test, cached_descriptor_serves_whole_file_and_ranges) {
  const auto big = test::pattern_bytes(3 * 1024 * 1024 + 7, 11);
  site_.write("big.bin", big);
  const std::string tag = "\"" + content_hash::of(big).hex() + "\"";
  ASSERT_TRUE(eventually([&] {
    return get(port_, "/big.bin", {{"Range", "bytes=0-0"}})[http::field::etag] == tag;
  }));
  http_connection c(port_);
  c.write(build_request("GET", "/big.bin") +
          build_request("GET", "/big.bin", {{"Range", "bytes=1048576-2097151"}}) +
          build_request("GET", "/big.bin", {{"Range", "bytes=-5"}}) +
          build_request("GET", "/ten.txt", {{"Range", "bytes=3-4"}}) +
          build_request("GET", "/img/cat.png"));
  const auto responses = c.read_many(5);
  EXPECT_TRUE(responses[0].body() == big);
  EXPECT_EQ(responses[0][http::field::etag], tag);
  EXPECT_EQ(responses[1].result(), http::status::partial_content);
  EXPECT_TRUE(responses[1].body() == big.substr(1048576, 1048576));
  EXPECT_EQ(responses[1][http::field::content_range], "bytes 1048576-2097151/3145735");
  EXPECT_TRUE(responses[2].body() == big.substr(big.size() - 5));
  EXPECT_EQ(responses[3].body(), "34");
  EXPECT_EQ(responses[4].body(), "PNGDATA");
}

TEST_F(http_origin_test, removed_file_becomes_404) {
  EXPECT_EQ(get(port_, "/img/cat.png").body(), "PNGDATA");
  fs::remove(site_.path() / "img/cat.png");
  ASSERT_TRUE(
      eventually([&] { return get(port_, "/img/cat.png").result() == http::status::not_found; }));
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(get(port_, "/img/cat.png").result(), http::status::not_found);
}

TEST_F(http_origin_test, directory_swapped_for_a_symlink_out_of_the_root_is_refused) {
  EXPECT_EQ(get(port_, "/img/cat.png").body(), "PNGDATA");
  fs::rename(site_.path() / "img", site_.path() / ".img-old");
  fs::create_symlink("/etc", site_.path() / "img");
  ASSERT_TRUE(
      eventually([&] { return get(port_, "/img/passwd").result() == http::status::forbidden; }));
  EXPECT_EQ(get(port_, "/img/passwd").body().find("root:"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return get(port_, "/img/cat.png").result() != http::status::ok; }));
}

}  // namespace
}  // namespace circlecdn

namespace circlecdn {
namespace {

// The origin upload cap: every byte still arrives intact, through the shared bucket (counted,
// not timed: the counters say the cap held writes back).
TEST(http_origin_cap, capped_origin_still_serves_exact_bytes) {
  test::temp_dir site;
  const auto big = test::pattern_bytes(600 * 1024, 3);
  site.write("big.bin", big);
  site.write("small.txt", "small");
  app::config cfg;
  cfg.site = site.path();
  cfg.listen_port = 0;
  cfg.origin_rate_limit_bytes_per_s = 4 * 1024 * 1024;
  cfg.operator_token = test::operator_token;
  app::server server(cfg);
  const auto port = server.start();
  EXPECT_TRUE(get(port, "/big.bin").body() == big);
  EXPECT_EQ(get(port, "/small.txt").body(), "small");
  const auto stats =
      boost::json::parse(get(port, "/.circlecdn/stats", test::operator_auth()).body()).as_object();
  EXPECT_EQ(stats.at("origin_capped_bytes").to_number<std::uint64_t>(), big.size() + 5);
  EXPECT_GE(stats.at("origin_cap_waits").to_number<std::uint64_t>(), 1u);
  server.stop();
}

}  // namespace
}  // namespace circlecdn
