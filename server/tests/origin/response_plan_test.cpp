// The origin's one decision, case by case: request facts + representation -> status, body bytes
// and header fields. What the removed cached-vs-disk differential test compared now has a single
// implementation; this table covers every case it listed, and more.
#include "origin/response_plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/http_date.hpp"

namespace circlecdn::origin {
namespace {

constexpr std::string_view tag = "\"abc123\"";
constexpr std::time_t mtime = 1'700'000'000;  // Tue, 14 Nov 2023 22:13:20 GMT

representation ten_bytes() {
  representation r;
  r.size = 10;
  r.etag = tag;
  r.content_type = "text/plain; charset=utf-8";
  r.cache_control = "no-cache";
  r.last_modified = mtime;
  return r;
}

struct expect {
  http::status status;
  std::uint64_t first, length, content_length;
  bool send_body, whole;
};

struct plan_case {
  const char* name;
  request_facts req;
  expect want;
  representation rep = ten_bytes();
};

request_facts get() {
  return {};
}
request_facts head() {
  request_facts f;
  f.head = true;
  return f;
}
request_facts with(request_facts f, std::optional<std::string_view> inm,
                   std::optional<std::string_view> range = {},
                   std::optional<std::string_view> if_range = {},
                   std::optional<std::string_view> ims = {}) {
  f.if_none_match = inm;
  f.range = range;
  f.if_range = if_range;
  f.if_modified_since = ims;
  return f;
}

representation gzip_form() {
  auto r = ten_bytes();
  r.size = 7;
  r.etag = "\"abc123-gzip\"";
  r.content_encoding = "gzip";
  r.vary_encoding = true;
  return r;
}
representation unknown_version() {
  auto r = ten_bytes();
  r.etag = {};
  return r;
}

constexpr auto ok = http::status::ok;
constexpr auto partial = http::status::partial_content;
constexpr auto not_modified = http::status::not_modified;
constexpr auto unsatisfiable = http::status::range_not_satisfiable;

TEST(response_plan, every_case) {
  const std::string now = format_http_date(mtime), later = format_http_date(mtime + 60),
                    earlier = format_http_date(mtime - 1);
  const std::vector<plan_case> cases = {
      {"get", get(), {ok, 0, 10, 10, true, true}},
      {"head", head(), {ok, 0, 10, 10, false, false}},
      {"inm match", with(get(), tag), {not_modified, 0, 0, 0, false, false}},
      {"inm weak match", with(get(), "W/\"abc123\""), {not_modified, 0, 0, 0, false, false}},
      {"inm in list", with(get(), "\"x\", \"abc123\""), {not_modified, 0, 0, 0, false, false}},
      {"inm star", with(get(), "*"), {not_modified, 0, 0, 0, false, false}},
      {"inm other", with(get(), "\"other\""), {ok, 0, 10, 10, true, true}},
      {"inm malformed", with(get(), "abc123"), {ok, 0, 10, 10, true, true}},
      {"head inm match", with(head(), tag), {not_modified, 0, 0, 0, false, false}},
      {"head inm other", with(head(), "\"x\""), {ok, 0, 10, 10, false, false}},
      {"range a-b", with(get(), {}, "bytes=2-5"), {partial, 2, 4, 4, true, false}},
      {"range a-", with(get(), {}, "bytes=7-"), {partial, 7, 3, 3, true, false}},
      {"range suffix", with(get(), {}, "bytes=-2"), {partial, 8, 2, 2, true, false}},
      {"range past end clipped", with(get(), {}, "bytes=0-100"), {partial, 0, 10, 10, true, false}},
      {"range unsatisfiable", with(get(), {}, "bytes=10-"), {unsatisfiable, 0, 0, 0, false, false}},
      {"range suffix zero", with(get(), {}, "bytes=-0"), {unsatisfiable, 0, 0, 0, false, false}},
      {"multiple ranges: whole", with(get(), {}, "bytes=0-1,3-4"), {ok, 0, 10, 10, true, true}},
      {"other unit: whole", with(get(), {}, "lines=1-2"), {ok, 0, 10, 10, true, true}},
      {"reversed range: whole", with(get(), {}, "bytes=5-2"), {ok, 0, 10, 10, true, true}},
      {"head ignores range", with(head(), {}, "bytes=0-1"), {ok, 0, 10, 10, false, false}},
      {"if-range match", with(get(), {}, "bytes=0-1", tag), {partial, 0, 2, 2, true, false}},
      {"if-range other", with(get(), {}, "bytes=0-1", "\"old\""), {ok, 0, 10, 10, true, true}},
      {"if-range weak", with(get(), {}, "bytes=0-1", "W/\"abc123\""), {ok, 0, 10, 10, true, true}},
      {"if-range date", with(get(), {}, "bytes=0-1", now), {ok, 0, 10, 10, true, true}},
      {"inm before range", with(get(), tag, "bytes=0-1"), {not_modified, 0, 0, 0, false, false}},
      {"ims not modified", with(get(), {}, {}, {}, now), {not_modified, 0, 0, 0, false, false}},
      {"ims later", with(get(), {}, {}, {}, later), {not_modified, 0, 0, 0, false, false}},
      {"ims earlier", with(get(), {}, {}, {}, earlier), {ok, 0, 10, 10, true, true}},
      {"ims invalid", with(get(), {}, {}, {}, "yesterday"), {ok, 0, 10, 10, true, true}},
      {"inm wins over ims", with(get(), "\"x\"", {}, {}, now), {ok, 0, 10, 10, true, true}},
      {"encoded: range refused",
       with(get(), {}, "bytes=0-1"),
       {ok, 0, 7, 7, true, true},
       gzip_form()},
      {"encoded: inm of its own tag",
       with(get(), "\"abc123-gzip\""),
       {not_modified, 0, 0, 0, false, false},
       gzip_form()},
      {"encoded: identity tag is another representation",
       with(get(), tag),
       {ok, 0, 7, 7, true, true},
       gzip_form()},
      {"unknown version: inm never matches",
       with(get(), "\"\""),
       {ok, 0, 10, 10, true, true},
       unknown_version()},
      {"unknown version: star matches",
       with(get(), "*"),
       {not_modified, 0, 0, 0, false, false},
       unknown_version()},
      {"unknown version: if-range refused",
       with(get(), {}, "bytes=0-1", "\"\""),
       {ok, 0, 10, 10, true, true},
       unknown_version()},
  };
  for (const auto& c : cases) {
    const auto p = plan_response(c.req, c.rep);
    EXPECT_EQ(p.status, c.want.status) << c.name;
    EXPECT_EQ(p.first, c.want.first) << c.name;
    EXPECT_EQ(p.length, c.want.length) << c.name;
    EXPECT_EQ(p.content_length, c.want.content_length) << c.name;
    EXPECT_EQ(p.send_body, c.want.send_body) << c.name;
    EXPECT_EQ(p.whole_body_sent, c.want.whole) << c.name;
  }
}

TEST(response_plan, empty_file_ranges_are_unsatisfiable_but_get_is_whole) {
  auto rep = ten_bytes();
  rep.size = 0;
  EXPECT_EQ(plan_response(get(), rep).status, ok);
  EXPECT_TRUE(plan_response(get(), rep).whole_body_sent);
  EXPECT_EQ(plan_response(with(get(), {}, "bytes=0-"), rep).status, unsatisfiable);
}

std::string head_of(const response_plan& p, const representation& rep, unsigned version = 11) {
  std::string out;
  write_head(out, version, p, rep);
  return out;
}

TEST(response_plan, head_fields_per_status) {
  const auto rep = ten_bytes();
  const auto lm = "Last-Modified: " + format_http_date(mtime) + "\r\n";
  EXPECT_EQ(head_of(plan_response(get(), rep), rep),
            "HTTP/1.1 200 OK\r\nServer: circlecdn\r\nAccept-Ranges: bytes\r\n"
            "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nETag: \"abc123\"\r\n" +
                lm + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\n");
  EXPECT_EQ(head_of(plan_response(head(), rep), rep), head_of(plan_response(get(), rep), rep));
  EXPECT_EQ(head_of(plan_response(with(get(), tag), rep), rep),
            "HTTP/1.1 304 Not Modified\r\nServer: circlecdn\r\nAccept-Ranges: bytes\r\n"
            "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nETag: \"abc123\"\r\n" +
                lm);
  EXPECT_EQ(head_of(plan_response(with(get(), {}, "bytes=2-5"), rep), rep),
            "HTTP/1.1 206 Partial Content\r\nServer: circlecdn\r\nAccept-Ranges: bytes\r\n"
            "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nETag: \"abc123\"\r\n" +
                lm +
                "Content-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 2-5/10\r\n"
                "Content-Length: 4\r\n");
  EXPECT_EQ(head_of(plan_response(with(get(), {}, "bytes=50-"), rep), rep),
            "HTTP/1.1 416 Range Not Satisfiable\r\nServer: circlecdn\r\nAccept-Ranges: bytes\r\n"
            "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nETag: \"abc123\"\r\n" +
                lm + "Content-Range: bytes */10\r\nContent-Length: 0\r\n");
  EXPECT_TRUE(head_of(plan_response(get(), rep), rep, 10).starts_with("HTTP/1.0 200 OK\r\n"));
}

TEST(response_plan, encoded_head_has_vary_and_encoding_but_no_ranges) {
  const auto rep = gzip_form();
  const auto h = head_of(plan_response(get(), rep), rep);
  EXPECT_NE(h.find("Vary: Accept-Encoding\r\n"), std::string::npos);
  EXPECT_NE(h.find("Content-Encoding: gzip\r\n"), std::string::npos);
  EXPECT_NE(h.find("ETag: \"abc123-gzip\"\r\n"), std::string::npos);
  EXPECT_EQ(h.find("Accept-Ranges"), std::string::npos);
  const auto nm = head_of(plan_response(with(get(), "\"abc123-gzip\""), rep), rep);
  EXPECT_NE(nm.find("Vary: Accept-Encoding\r\n"), std::string::npos);  // RFC 9110 §15.4.5
  EXPECT_EQ(nm.find("Content-Encoding"), std::string::npos);
}

TEST(response_plan, unknown_version_has_no_etag) {
  const auto rep = unknown_version();
  EXPECT_EQ(head_of(plan_response(get(), rep), rep).find("ETag"), std::string::npos);
}

TEST(response_plan, request_lines_connection_follows_the_version_default) {
  std::vector<std::pair<http::field, std::string>> extra{{http::field::set_cookie, "a=b"}};
  std::string out;
  write_request_lines(out, 11, true, extra);
  EXPECT_TRUE(out.starts_with("Date: "));
  EXPECT_TRUE(out.ends_with("Set-Cookie: a=b\r\n\r\n"));
  out.clear();
  write_request_lines(out, 11, false, {});
  EXPECT_TRUE(out.ends_with("Connection: close\r\n\r\n"));
  out.clear();
  write_request_lines(out, 10, true, {});
  EXPECT_TRUE(out.ends_with("Connection: keep-alive\r\n\r\n"));
  out.clear();
  write_request_lines(out, 10, false, {});
  EXPECT_EQ(out.find("Connection"), std::string::npos);
}

}  // namespace
}  // namespace circlecdn::origin
