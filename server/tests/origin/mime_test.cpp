// mime_type: every extension the origin knows, case, and the fallback.
#include "origin/mime.hpp"

#include <gtest/gtest.h>

namespace circlecdn::origin {
namespace {

TEST(mime, known_extensions) {
  EXPECT_EQ(mime_type("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type("/a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type("/a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type("/a.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type("/a.json"), "application/json");
  EXPECT_EQ(mime_type("/a.png"), "image/png");
  EXPECT_EQ(mime_type("/a.jpg"), "image/jpeg");
  EXPECT_EQ(mime_type("/a.jpeg"), "image/jpeg");
  EXPECT_EQ(mime_type("/a.gif"), "image/gif");
  EXPECT_EQ(mime_type("/a.webp"), "image/webp");
  EXPECT_EQ(mime_type("/a.svg"), "image/svg+xml");
  EXPECT_EQ(mime_type("/a.avif"), "image/avif");
  EXPECT_EQ(mime_type("/favicon.ico"), "image/x-icon");
  EXPECT_EQ(mime_type("/f.woff"), "font/woff");
  EXPECT_EQ(mime_type("/f.woff2"), "font/woff2");
  EXPECT_EQ(mime_type("/f.ttf"), "font/ttf");
  EXPECT_EQ(mime_type("/v.mp4"), "video/mp4");
  EXPECT_EQ(mime_type("/v.webm"), "video/webm");
  EXPECT_EQ(mime_type("/s.mp3"), "audio/mpeg");
  EXPECT_EQ(mime_type("/m.wasm"), "application/wasm");
  EXPECT_EQ(mime_type("/r.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(mime_type("/f.xml"), "application/xml");
  EXPECT_EQ(mime_type("/d.pdf"), "application/pdf");
}

TEST(mime, extension_is_case_insensitive) {
  EXPECT_EQ(mime_type("/IMG.PNG"), "image/png");
  EXPECT_EQ(mime_type("/Index.HtMl"), "text/html; charset=utf-8");
}

TEST(mime, only_the_last_extension_of_the_file_name_counts) {
  EXPECT_EQ(mime_type("/a.html.gz"), default_mime_type);
  EXPECT_EQ(mime_type("/dir.html/file"), default_mime_type);
  EXPECT_EQ(mime_type("/archive.tar.js"), "text/javascript; charset=utf-8");
}

TEST(mime, unknown_or_missing_extension_is_octet_stream) {
  EXPECT_EQ(mime_type("/big.bin"), "application/octet-stream");
  EXPECT_EQ(mime_type("/README"), default_mime_type);
  EXPECT_EQ(mime_type("/dir/"), default_mime_type);
  EXPECT_EQ(mime_type("/trailing."), default_mime_type);
  EXPECT_EQ(mime_type("/.html"), default_mime_type);  // a dotfile, not an extension
  EXPECT_EQ(mime_type(""), default_mime_type);
  EXPECT_EQ(mime_type("/x.verylongextension"), default_mime_type);
}

}  // namespace
}  // namespace circlecdn::origin
