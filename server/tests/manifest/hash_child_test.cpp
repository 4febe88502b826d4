// manifest::hash_child: files hashed in a forked child come back as the same entries an in-process
// hash gives, in order; a child that dies or a stream that is not its own is never complete.
#include "manifest/hash_child.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "manifest/file_hasher.hpp"
#include "support/temp_dir.hpp"

namespace circlecdn::manifest {
namespace {

using test::pattern_bytes;
using test::temp_dir;

// Reads the child's pipe to its end (blocking, with poll), as the watcher does asynchronously.
void drain(hash_child& child, int fd, std::vector<std::optional<file_entry>>& out) {
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    ASSERT_GE(::poll(&p, 1, 30'000), 0);
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    ASSERT_GE(n, 0);
    if (n == 0) break;
    child.feed({buf, static_cast<std::size_t>(n)});
    for (auto& e : child.take()) out.push_back(std::move(e));
  }
  ::close(fd);
}

TEST(hash_child, hashes_what_the_server_would_in_order) {
  temp_dir site;
  const std::uint64_t piece = 64 * 1024;
  auto small = site.write("small.txt", "small");
  auto big = site.write("big.bin", pattern_bytes(3 * piece + 17, 5));
  auto empty = site.write("empty", "");
  std::vector<hash_request> files = {{small, "/small.txt"},
                                     {site.path() / "missing", "/missing"},
                                     {big, "/big.bin"},
                                     {empty, "/empty"}};
  hash_child child(files, piece);
  std::vector<std::optional<file_entry>> got;
  drain(child, child.release_fd(), got);
  EXPECT_TRUE(child.complete());
  EXPECT_TRUE(child.wait());
  ASSERT_EQ(got.size(), 4u);
  EXPECT_FALSE(got[1]);  // cannot be read: left out, as a rescan does
  std::vector<char> buffer(1024 * 1024);
  for (std::size_t i : {0u, 2u, 3u}) {
    ASSERT_TRUE(got[i]) << files[i].url;
    auto here = hash_file(files[i].path, files[i].url, piece, buffer);
    ASSERT_TRUE(here);
    EXPECT_EQ(got[i]->path, files[i].url);
    EXPECT_EQ(got[i]->size, here->size);
    EXPECT_EQ(got[i]->sha256, here->sha256);
    EXPECT_EQ(got[i]->pieces, here->pieces);
    EXPECT_TRUE(got[i]->version.same_version(here->version));
  }
  EXPECT_EQ(got[2]->pieces.size(), 4u);
}

TEST(hash_child, a_child_that_dies_is_never_complete) {
  temp_dir site;
  std::vector<hash_request> files;
  for (int i = 0; i < 64; ++i)  // 64 MiB: far more than one fork's time to hash
    files.push_back({site.write("f" + std::to_string(i), pattern_bytes(1024 * 1024, i)),
                     "/f" + std::to_string(i)});
  hash_child child(files, 64 * 1024);
  ASSERT_EQ(::kill(child.pid(), SIGKILL), 0);
  std::vector<std::optional<file_entry>> got;
  drain(child, child.release_fd(), got);
  EXPECT_LT(got.size(), files.size());
  EXPECT_FALSE(child.complete());
  EXPECT_FALSE(child.wait());
}

TEST(hash_child, keeps_none_of_the_servers_connections_open) {
  temp_dir site;
  std::vector<hash_request> files;
  for (int i = 0; i < 64; ++i)
    files.push_back({site.write("f" + std::to_string(i), pattern_bytes(1024 * 1024, i)),
                     "/f" + std::to_string(i)});
  int conn[2];  // a visitor's connection, as the server would hold one
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, conn), 0);
  // 1 KiB pieces: 32 KiB of piece hashes per file, so the records overflow the pipe's buffer and
  // the child waits in write() for this test to read: it is alive until drained, however fast.
  hash_child child(files, 1024);
  const int pipe = child.release_fd();
  ::close(conn[0]);  // the server closes it while the child hashes
  pollfd p{conn[1], POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 20'000), 1);  // (a safety net, not a timing check)
  char c;
  EXPECT_EQ(::read(conn[1], &c, 1), 0);  // the visitor sees the end of its connection...
  pollfd q{pipe, 0, 0};
  ASSERT_EQ(::poll(&q, 1, 0), 0);  // ...while the child still hashes (its pipe is open)
  ::close(conn[1]);
  std::vector<std::optional<file_entry>> got;
  drain(child, pipe, got);
  EXPECT_TRUE(child.complete());
  EXPECT_TRUE(child.wait());
}

TEST(hash_child, bytes_that_are_not_its_records_are_refused) {
  temp_dir site;
  hash_child child({{site.write("a", "a"), "/a"}}, 64 * 1024);
  std::vector<std::optional<file_entry>> got;
  drain(child, child.release_fd(), got);
  ASSERT_TRUE(child.complete());
  // One more record than was asked for, as a confused or hostile writer would send.
  std::string extra(5, '\0');
  extra[0] = 1;  // index 1 of a one-file batch
  child.feed(extra);
  EXPECT_FALSE(child.complete());
  EXPECT_TRUE(child.take().empty());
  child.wait();
}

}  // namespace
}  // namespace circlecdn::manifest
