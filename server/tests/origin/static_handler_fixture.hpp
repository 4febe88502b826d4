#pragma once
// The static handler against a real temporary site: responses rendered to bytes and parsed back
// as a client would (static_handler_test.cpp: from disk; static_handler_cache_test.cpp: from
// memory).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/http_date.hpp"
#include "origin/static_handler.hpp"
#include "support/temp_dir.hpp"

namespace circlecdn::origin {

namespace fs = std::filesystem;
using test::pattern_bytes;
using test::temp_dir;

struct rendered {
  http::response<http::string_body> res;
  std::optional<content_hash> served;
  std::string raw;
  bool cached = false;  // answered from memory (the open-file cache or an encoded form)
  bool cookie_set = false;
};

// Serialises a message_generator the way a session would, then parses it back as a client.
inline std::string render_bytes(http::message_generator& gen) {
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

inline http::response<http::string_body> parse(const std::string& raw, bool head) {
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
    auto result = handler_->handle(req, new_cookie_);
    rendered r;
    r.cookie_set = result.cookie_set;
    r.served = result.served;
    r.cached = result.from_memory;
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
  std::string new_cookie_;  // offered to every request, as to a visitor without one
};

}  // namespace circlecdn::origin
