// The origin's open-file cache: what it keeps, what it refuses, its bounds, and that it never
// serves a version the manifest has moved past.
#include "origin/open_file_cache.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "support/temp_dir.hpp"

namespace circlecdn::origin {
namespace {

namespace fs = std::filesystem;
using test::pattern_bytes;
using test::temp_dir;

// Opens a site file as the disk path does and offers it.
struct site_fixture {
  temp_dir site;
  std::unique_ptr<manifest::store> store;

  void scan() { store = std::make_unique<manifest::store>(site.path()); }
  const manifest::file_entry& entry(const std::string& url) {
    const auto* e = store->current()->find(url);
    if (!e) throw std::runtime_error("not in the manifest: " + url);
    return *e;
  }
  void offer(open_file_cache& cache, const std::string& url) {
    const int fd = ::open((site.path() / url.substr(1)).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    cache.offer(entry(url), fd, *manifest::file_info_of(fd));
    ::close(fd);  // the cache keeps its own copy of the descriptor
  }
};

TEST(open_file_cache, small_files_in_memory_larger_ones_by_descriptor) {
  site_fixture f;
  const auto big = pattern_bytes(200 * 1024, 5);
  f.site.write("small.txt", "small");
  f.site.write("empty.txt", "");
  f.site.write("big.bin", big);
  f.scan();
  open_file_cache cache;
  for (const char* url : {"/small.txt", "/empty.txt", "/big.bin"}) f.offer(cache, url);
  const auto small = cache.find(f.entry("/small.txt"));
  ASSERT_TRUE(small);
  EXPECT_TRUE(small->in_memory());
  EXPECT_EQ(small->bytes(), "small");
  ASSERT_TRUE(cache.find(f.entry("/empty.txt")));
  EXPECT_EQ(cache.find(f.entry("/empty.txt"))->bytes(), "");
  const auto large = cache.find(f.entry("/big.bin"));
  ASSERT_TRUE(large);
  EXPECT_FALSE(large->in_memory());
  std::string read(big.size(), '\0');
  EXPECT_EQ(::pread(large->fd(), read.data(), read.size(), 0), static_cast<ssize_t>(big.size()));
  EXPECT_TRUE(read == big);
  EXPECT_EQ(cache.memory_bytes(), 5u);
  EXPECT_EQ(cache.descriptors(), 1u);
}

TEST(open_file_cache, hard_linked_files_are_not_cached) {
  site_fixture f;
  f.site.write("linked.txt", "linked");
  fs::create_hard_link(f.site.path() / "linked.txt", f.site.path() / ".other-name");
  f.scan();
  open_file_cache cache;
  f.offer(cache, "/linked.txt");
  EXPECT_FALSE(cache.find(f.entry("/linked.txt")));  // a write through the other name: unreported
}

TEST(open_file_cache, a_version_other_than_the_manifests_is_refused) {
  site_fixture f;
  f.site.write("a.txt", "old");
  f.scan();
  f.site.write(".a.tmp", "new!");
  fs::rename(f.site.path() / ".a.tmp", f.site.path() / "a.txt");
  open_file_cache cache;
  f.offer(cache, "/a.txt");  // the store has not rescanned: these bytes are not the hashed ones
  EXPECT_FALSE(cache.find(f.entry("/a.txt")));
}

TEST(open_file_cache, limits_bound_bytes_and_descriptors) {
  site_fixture f;
  for (int i = 0; i < 10; ++i) f.site.write("s" + std::to_string(i) + ".txt", std::string(10, 'x'));
  for (int i = 0; i < 5; ++i) f.site.write("b" + std::to_string(i) + ".bin", std::string(100, 'y'));
  f.scan();
  cache_limits limits;
  limits.file_bytes = 16;
  limits.memory_bytes = 35;  // three of the small files
  limits.descriptors = 2;
  open_file_cache cache(limits);
  std::size_t cached = 0;
  for (const auto& [url, e] : f.store->current()->files) {
    f.offer(cache, url);
    if (cache.find(e)) ++cached;
  }
  EXPECT_EQ(cache.memory_bytes(), 30u);
  EXPECT_EQ(cache.descriptors(), 2u);
  EXPECT_EQ(cached, 5u);
}

TEST(open_file_cache, a_rescanned_change_drops_the_old_version) {
  site_fixture f;
  f.site.write("a.txt", "old");
  f.site.write("b.txt", "bee");
  f.scan();
  open_file_cache cache;
  f.offer(cache, "/a.txt");
  f.offer(cache, "/b.txt");
  f.site.write(".a.tmp", "new");
  fs::rename(f.site.path() / ".a.tmp", f.site.path() / "a.txt");
  fs::remove(f.site.path() / "b.txt");
  f.store->rescan();
  EXPECT_FALSE(cache.find(f.entry("/a.txt")));
  cache.prune(*f.store->current());
  EXPECT_EQ(cache.memory_bytes(), 0u);  // b.txt is gone from the manifest: its bytes are freed
  f.offer(cache, "/a.txt");
  ASSERT_TRUE(cache.find(f.entry("/a.txt")));
  EXPECT_EQ(cache.find(f.entry("/a.txt"))->bytes(), "new");
}

}  // namespace
}  // namespace circlecdn::origin
