// gzip and brotli forms decode back to the bytes; the cache makes each form once, keeps only
// what saves bytes, and stays within its budget.
#include "origin/compression.hpp"

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "support/temp_dir.hpp"

namespace circlecdn::origin {
namespace {

std::string text(std::size_t n) {
  std::string s;
  while (s.size() < n) s += "function f" + std::to_string(s.size() % 97) + "() { return 42; }\n";
  return s.substr(0, n);
}

std::string gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 22, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

std::string unbrotli(const std::string& in) {
  std::string out(1 << 22, '\0');
  std::size_t size = out.size();
  EXPECT_EQ(BrotliDecoderDecompress(in.size(), reinterpret_cast<const std::uint8_t*>(in.data()),
                                    &size, reinterpret_cast<std::uint8_t*>(out.data())),
            BROTLI_DECODER_RESULT_SUCCESS);
  out.resize(size);
  return out;
}

TEST(compression, forms_decode_back_to_the_bytes) {
  for (const std::size_t n : {1u, 100u, 70'000u, 1'000'000u}) {
    const auto t = text(n);
    EXPECT_EQ(gunzip(gzip_compress(t)), t) << n;
    EXPECT_EQ(unbrotli(brotli_compress(t)), t) << n;
  }
}

TEST(compression, text_types_only) {
  for (const char* yes : {"text/html; charset=utf-8", "text/css; charset=utf-8",
                          "text/javascript; charset=utf-8", "application/json", "image/svg+xml",
                          "application/xml", "application/wasm", "text/plain; charset=utf-8"})
    EXPECT_TRUE(is_compressible(yes)) << yes;
  for (const char* no :
       {"image/png", "font/woff2", "video/mp4", "application/octet-stream", "application/pdf"})
    EXPECT_FALSE(is_compressible(no)) << no;
}

TEST(compression, each_form_is_made_once_and_only_kept_when_smaller) {
  encoded_cache cache;
  const auto t = text(50'000);
  const auto h = content_hash::of(t);
  int reads = 0;
  auto read = [&](std::string& out) {
    ++reads;
    out = t;
    return true;
  };
  const auto br = cache.get(h, content_coding::br, t.size(), read);
  ASSERT_TRUE(br);
  EXPECT_LT(br->bytes().size(), t.size());
  EXPECT_EQ(cache.get(h, content_coding::br, t.size(), read), br);  // the same bytes, not redone
  ASSERT_TRUE(cache.get(h, content_coding::gzip, t.size(), read));
  EXPECT_EQ(cache.compressions(), 2u);
  EXPECT_EQ(reads, 2);

  const auto noise = test::pattern_bytes(10'000);
  auto read_noise = [&](std::string& out) {
    out = noise;
    return true;
  };
  const auto nh = content_hash::of(noise);
  EXPECT_FALSE(cache.get(nh, content_coding::gzip, noise.size(), read_noise));  // not smaller
  EXPECT_FALSE(cache.get(nh, content_coding::gzip, noise.size(), read_noise));
  EXPECT_EQ(cache.compressions(), 3u);  // and not tried again
}

TEST(compression, the_budget_evicts_the_least_recently_used) {
  encoded_cache cache(20'000);
  std::vector<std::string> texts;
  for (int i = 0; i < 5; ++i) texts.push_back(text(200'000) + std::to_string(i));
  for (const auto& t : texts)
    cache.get(content_hash::of(t), content_coding::gzip, t.size(), [&](std::string& out) {
      out = t;
      return true;
    });
  EXPECT_LE(cache.bytes(), 20'000u);
  EXPECT_EQ(cache.compressions(), 5u);
  const auto& last = texts.back();  // still there: no new compression
  cache.get(content_hash::of(last), content_coding::gzip, last.size(), [&](std::string& out) {
    out = last;
    return true;
  });
  EXPECT_EQ(cache.compressions(), 5u);
}

}  // namespace
}  // namespace circlecdn::origin
