// manifest::store: scan policy, hashes and pieces against an independent SHA-256, JSON shape,
// and when the generation moves.
#include "manifest/store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <limits>

#include "manifest/file_hasher.hpp"
#include "support/temp_dir.hpp"

namespace circlecdn::manifest {
namespace {

namespace fs = std::filesystem;
using test::pattern_bytes;
using test::temp_dir;

// One-shot OpenSSL digest, independent of sha256_stream's incremental path.
std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr), 1);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(digits[md[i] >> 4]);
    out.push_back(digits[md[i] & 15]);
  }
  return out;
}

std::vector<std::string> expected_pieces(std::string_view data, std::size_t piece_size) {
  std::vector<std::string> out;
  if (data.size() <= piece_size) return out;
  for (std::size_t off = 0; off < data.size(); off += piece_size)
    out.push_back(sha256_hex(data.substr(off, piece_size)));
  return out;
}

std::vector<std::string> hex_all(const std::vector<content_hash>& hashes) {
  std::vector<std::string> out;
  for (const auto& h : hashes) out.push_back(h.hex());
  return out;
}

void set_mtime(const fs::path& p, std::int64_t seconds) {
  const timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
}

TEST(manifest_store, sha256_reference_is_sound) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(manifest_store, empty_site_is_generation_one) {
  temp_dir site;
  store s(site.path());
  const auto snap = s.current();
  EXPECT_EQ(snap->generation, 1u);
  EXPECT_TRUE(snap->files.empty());
  EXPECT_EQ(snap->json, R"({"version":1,"generation":1,"piece_size":262144,"files":[]})");
}

TEST(manifest_store, missing_root_is_an_empty_manifest) {
  temp_dir site;
  store s(site.path() / "not-there");
  EXPECT_EQ(s.current()->generation, 1u);
  EXPECT_TRUE(s.current()->files.empty());
}

TEST(manifest_store, zero_piece_size_is_refused) {
  temp_dir site;
  EXPECT_THROW(store(site.path(), 0), std::invalid_argument);
}

TEST(manifest_store, json_is_exactly_the_protocol_shape_sorted_by_path) {
  temp_dir site;
  const auto big = pattern_bytes(2500, 7);
  site.write("z.txt", "zed");
  site.write("img/cat.png", "cat");
  site.write("big.bin", big);
  store s(site.path(), 1000);
  const auto pieces = expected_pieces(big, 1000);
  ASSERT_EQ(pieces.size(), 3u);
  const std::string expected = R"({"version":1,"generation":1,"piece_size":1000,"files":[)"
                               R"({"path":"/big.bin","size":2500,"sha256":")" +
                               sha256_hex(big) + R"(","pieces":[")" + pieces[0] + R"(",")" +
                               pieces[1] + R"(",")" + pieces[2] +
                               R"("]},)"
                               R"({"path":"/img/cat.png","size":3,"sha256":")" +
                               sha256_hex("cat") +
                               R"("},)"
                               R"({"path":"/z.txt","size":3,"sha256":")" +
                               sha256_hex("zed") + R"("}]})";
  EXPECT_EQ(s.current()->json, expected);
  EXPECT_NO_THROW((void)boost::json::parse(s.current()->json));
}

TEST(manifest_store, piece_boundaries) {
  constexpr std::size_t piece = 1024;
  temp_dir site;
  const auto exact = pattern_bytes(piece, 1);
  const auto one_more = pattern_bytes(piece + 1, 2);
  const auto three = pattern_bytes(3 * piece, 3);
  const auto one_less = pattern_bytes(piece - 1, 4);
  site.write("exact", exact);
  site.write("one_more", one_more);
  site.write("three", three);
  site.write("one_less", one_less);
  site.write("empty", "");
  store s(site.path(), piece);
  const auto snap = s.current();

  EXPECT_TRUE(snap->find("/exact")->pieces.empty());
  EXPECT_TRUE(snap->find("/one_less")->pieces.empty());
  EXPECT_TRUE(snap->find("/empty")->pieces.empty());
  EXPECT_EQ(snap->find("/empty")->sha256.hex(), sha256_hex(""));

  const auto* f = snap->find("/one_more");
  ASSERT_EQ(f->pieces.size(), 2u);
  EXPECT_EQ(f->pieces[0].hex(), sha256_hex(std::string_view(one_more).substr(0, piece)));
  EXPECT_EQ(f->pieces[1].hex(), sha256_hex(std::string_view(one_more).substr(piece)));
  EXPECT_EQ(f->size, piece + 1);
  EXPECT_EQ(f->sha256.hex(), sha256_hex(one_more));

  EXPECT_EQ(hex_all(snap->find("/three")->pieces), expected_pieces(three, piece));
  EXPECT_EQ(snap->find("/three")->pieces.size(), 3u);
}

TEST(manifest_store, default_piece_size_boundaries) {
  temp_dir site;
  const auto exact = pattern_bytes(default_piece_size_bytes, 5);
  const auto one_more = pattern_bytes(default_piece_size_bytes + 1, 6);
  site.write("exact.bin", exact);
  site.write("one_more.bin", one_more);
  store s(site.path());
  EXPECT_TRUE(s.current()->find("/exact.bin")->pieces.empty());
  EXPECT_EQ(s.current()->find("/one_more.bin")->pieces.size(), 2u);
  EXPECT_EQ(hex_all(s.current()->find("/one_more.bin")->pieces),
            expected_pieces(one_more, default_piece_size_bytes));
}

TEST(manifest_store, pieces_that_straddle_read_chunks) {
  // A piece size that does not divide the 1 MiB read chunk, over several chunks.
  constexpr std::size_t piece = 100'000;
  temp_dir site;
  const auto data = pattern_bytes(3 * 1024 * 1024 + 7, 9);
  site.write("large.bin", data);
  store s(site.path(), piece);
  const auto* f = s.current()->find("/large.bin");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->sha256.hex(), sha256_hex(data));
  EXPECT_EQ(hex_all(f->pieces), expected_pieces(data, piece));
}

TEST(manifest_store, hashes_set_holds_files_and_pieces) {
  temp_dir site;
  const auto data = pattern_bytes(2048 + 10, 11);
  site.write("a.bin", data);
  site.write("b.txt", "b");
  store s(site.path(), 1024);
  const auto snap = s.current();
  EXPECT_EQ(snap->hashes.size(), 5u);  // a + 3 pieces + b
  EXPECT_TRUE(snap->knows(content_hash::of(std::string_view(data))));
  EXPECT_TRUE(snap->knows(content_hash::of(std::string_view(data).substr(2048))));
  EXPECT_TRUE(snap->knows(content_hash::of("b")));
  EXPECT_FALSE(snap->knows(content_hash::of("c")));
}

TEST(manifest_store, scan_policy_dotfiles_symlinks_special_files) {
  temp_dir site, outside;
  site.write("ok.txt", "ok");
  site.write(".env", "secret");
  site.write(".git/HEAD", "ref");
  site.write("sub/.hidden", "h");
  site.write(".well-known/security.txt", "contact");
  outside.write("secret.txt", "outside");
  fs::create_symlink(outside.path() / "secret.txt", site.path() / "leak.txt");
  fs::create_symlink(site.path() / "ok.txt", site.path() / "alias.txt");
  fs::create_symlink(site.path() / "missing", site.path() / "dangling");
  fs::create_symlink(site.path() / "sub", site.path() / "subdir-link");
  fs::create_symlink(site.path(), site.path() / "loop");
  ASSERT_EQ(::mkfifo((site.path() / "pipe").c_str(), 0644), 0);
  site.write("bad\xff.txt", "not utf-8");
  site.write("over\xc0\xaflong.txt", "overlong '/'");
  site.write("back\\slash.txt", "unreachable");
  site.write("ctl\x01.txt", "unreachable");
  site.write("caf\xc3\xa9.txt", "fine");
  store s(site.path());
  const auto snap = s.current();
  std::vector<std::string> paths;
  for (const auto& [p, e] : snap->files) paths.push_back(p);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/.well-known/security.txt", "/alias.txt",
                                             "/caf\xc3\xa9.txt", "/ok.txt"}));
  EXPECT_EQ(snap->find("/alias.txt")->sha256, content_hash::of("ok"));
}

// An editor's or an operator's leftover copy (index.html~ held a password in the attack that
// found this) is private like a dotfile: never listed, whatever the case of its extension.
TEST(manifest_store, leak_backup_and_editor_files_are_not_listed) {
  temp_dir site;
  site.write("index.html", "home");
  for (const char* name : {"index.html~", "config.php.bak", "CONFIG.BAK", ".index.html.swp",
                           "notes.swp", "a.orig", "#draft#", "old.bak/inside.txt"})
    site.write(name, "copy with a password");
  site.write("bak", "a name, not an extension");
  site.write("x.bake", "not a backup");
  store s(site.path());
  std::vector<std::string> paths;
  for (const auto& [p, e] : s.current()->files) paths.push_back(p);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/bak", "/index.html", "/x.bake"}));
  EXPECT_FALSE(s.current()->knows(content_hash::of("copy with a password")));
}

// --crowd-include / --crowd-exclude: the manifest and the known hashes cover the crowd's files
// only, while the snapshot keeps every public file (the origin's ETag and cache need them).
TEST(manifest_store, crowd_filter_limits_what_is_listed_not_what_is_known_to_the_origin) {
  temp_dir site;
  site.write("img/a.png", "a");
  site.write("img/b.jpg", "b");
  site.write("account/avatar.png", "private avatar");
  site.write("big.iso", "iso");
  store s(site.path(), default_piece_size_bytes, crowd_filter{{"/img/*", "*.png"}, {"/account/*"}});
  const auto snap = s.current();
  EXPECT_EQ(snap->files.size(), 4u);
  ASSERT_NE(snap->find("/account/avatar.png"), nullptr);
  EXPECT_FALSE(snap->find("/account/avatar.png")->crowd);
  EXPECT_FALSE(snap->find("/big.iso")->crowd);
  EXPECT_TRUE(snap->find("/img/b.jpg")->crowd);
  EXPECT_TRUE(snap->knows(content_hash::of("a")));
  EXPECT_TRUE(snap->knows(content_hash::of("b")));
  EXPECT_FALSE(snap->knows(content_hash::of("private avatar")));
  EXPECT_FALSE(snap->knows(content_hash::of("iso")));
  const auto json = boost::json::parse(snap->json).as_object();
  std::vector<std::string> listed;
  for (const auto& f : json.at("files").as_array())
    listed.emplace_back(f.as_object().at("path").as_string());
  EXPECT_EQ(listed, (std::vector<std::string>{"/img/a.png", "/img/b.jpg"}));
}

TEST(manifest_store, find) {
  temp_dir site;
  site.write("a/b.txt", "b");
  store s(site.path());
  ASSERT_NE(s.current()->find("/a/b.txt"), nullptr);
  EXPECT_EQ(s.current()->find("/a/b.txt")->path, "/a/b.txt");
  EXPECT_EQ(s.current()->find("a/b.txt"), nullptr);
  EXPECT_EQ(s.current()->find("/a"), nullptr);
  EXPECT_EQ(s.current()->find("/nope"), nullptr);
}

TEST(manifest_store, unchanged_rescan_keeps_generation_and_snapshot) {
  temp_dir site;
  site.write("a.txt", "a");
  store s(site.path());
  const auto before = s.current();
  s.rescan();
  s.rescan();
  EXPECT_EQ(s.current()->generation, 1u);
  EXPECT_EQ(s.current(), before);  // nothing published at all
}

TEST(manifest_store, rescan_sees_add_change_remove_and_bumps_generation) {
  temp_dir site;
  site.write("a.txt", "a");
  store s(site.path());
  const auto old = s.current();

  site.write("new/b.txt", "b");
  s.rescan();
  EXPECT_EQ(s.current()->generation, 2u);
  ASSERT_NE(s.current()->find("/new/b.txt"), nullptr);
  EXPECT_EQ(s.current()->find("/new/b.txt")->sha256.hex(), sha256_hex("b"));
  EXPECT_NE(s.current()->json.find("\"generation\":2"), std::string::npos);

  site.write("a.txt", "changed");
  s.rescan();
  EXPECT_EQ(s.current()->generation, 3u);
  EXPECT_EQ(s.current()->find("/a.txt")->sha256.hex(), sha256_hex("changed"));
  EXPECT_FALSE(s.current()->knows(content_hash::of("a")));

  fs::remove(site.path() / "new/b.txt");
  s.rescan();
  EXPECT_EQ(s.current()->generation, 4u);
  EXPECT_EQ(s.current()->find("/new/b.txt"), nullptr);

  // Old snapshots stay intact for readers that still hold them.
  EXPECT_EQ(old->generation, 1u);
  EXPECT_EQ(old->find("/a.txt")->sha256.hex(), sha256_hex("a"));
}

TEST(manifest_store, same_size_change_is_noticed_by_mtime) {
  temp_dir site;
  const auto p = site.write("a.txt", "aaaa");
  set_mtime(p, 1'000'000);
  store s(site.path());
  site.write("a.txt", "bbbb");
  set_mtime(p, 1'000'001);
  s.rescan();
  EXPECT_EQ(s.current()->generation, 2u);
  EXPECT_EQ(s.current()->find("/a.txt")->sha256.hex(), sha256_hex("bbbb"));
}

TEST(manifest_store, touch_updates_mtime_without_bumping_generation) {
  temp_dir site;
  const auto p = site.write("a.txt", "same");
  set_mtime(p, 1'000'000);
  store s(site.path());
  const auto json = s.current()->json;
  set_mtime(p, 2'000'000);
  s.rescan();
  EXPECT_EQ(s.current()->generation, 1u);
  EXPECT_EQ(s.current()->json, json);
  EXPECT_EQ(s.current()->find("/a.txt")->version.mtime_ns, 2'000'000LL * 1'000'000'000);
}

TEST(manifest_store, rewriting_identical_bytes_does_not_bump) {
  temp_dir site;
  site.write("a.txt", "x");
  store s(site.path());
  site.write("a.txt", "x");
  s.rescan();
  EXPECT_EQ(s.current()->generation, 1u);
}

// Whether the origin may trust its open-file cache (origin/open_file_cache.hpp).
TEST(manifest_store_cache, trusted_only_while_watched_and_settled) {
  temp_dir site;
  site.write("a.txt", "a");
  store s(site.path());
  EXPECT_FALSE(s.cache_trusted());  // nobody reports changes
  s.watch_started();
  EXPECT_FALSE(s.cache_trusted());  // what changed before the watches is unknown
  s.rescan();
  EXPECT_TRUE(s.cache_trusted());
  s.note_change();
  EXPECT_FALSE(s.cache_trusted());
  s.rescan();  // finds nothing new, publishes nothing, and still settles the change
  EXPECT_TRUE(s.cache_trusted());
  s.watch_stopped();
  EXPECT_FALSE(s.cache_trusted());
}

// `cp -p` and `touch -r` put the old mtime back on new bytes of the same size; ctime still moves.
TEST(manifest_store, same_size_rewrite_with_old_mtime_is_noticed) {
  temp_dir site;
  const auto p = site.write("a.txt", "one");
  set_mtime(p, 1'000'000);
  store s(site.path());
  site.write("a.txt", "two");
  set_mtime(p, 1'000'000);
  s.rescan();
  const auto* e = s.current()->find("/a.txt");
  EXPECT_EQ(e->sha256, content_hash::of("two"));
}

}  // namespace
}  // namespace circlecdn::manifest

namespace circlecdn::manifest {
namespace {

// The watcher's rescan, in small steps on the io thread: the same snapshot as a whole rescan,
// a file read across many steps included; a job dropped halfway publishes nothing.
TEST(manifest_store, a_rescan_in_steps_publishes_what_a_whole_rescan_does) {
  temp_dir site;
  const std::size_t piece = 64 * 1024;
  const auto big = pattern_bytes(5 * piece + 123, 7);
  site.write("big.bin", big);
  site.write("small.txt", "small");
  store stepped(site.path(), piece), whole(site.path(), piece);
  site.write("big.bin", pattern_bytes(5 * piece + 123, 9));  // changed: both must rehash it
  site.write("new.txt", "new");
  set_mtime(site.path() / "big.bin", 1'000'000'000);
  whole.rescan();
  int steps = 0;
  {
    store::rescan_job job(stepped);
    while (!job.step(16 * 1024)) ++steps;
  }
  EXPECT_GT(steps, 10);  // the 320 KiB file alone takes 20 steps of 16 KiB
  const auto a = stepped.current(), b = whole.current();
  EXPECT_EQ(a->json, b->json);
  EXPECT_EQ(a->generation, 2u);
  EXPECT_EQ(hex_all(a->find("/big.bin")->pieces),
            expected_pieces(pattern_bytes(5 * piece + 123, 9), piece));

  site.write("later.txt", "later");
  {
    store::rescan_job job(stepped);
    job.step(1);  // one stat, then dropped
  }
  EXPECT_EQ(stepped.current()->generation, 2u);
  EXPECT_EQ(stepped.current()->find("/later.txt"), nullptr);
  stepped.rescan();  // the scan lock was released with the job
  EXPECT_NE(stepped.current()->find("/later.txt"), nullptr);
}

// The watcher's way: stat in steps, the files to read handed out, their entries taken back.
TEST(manifest_store, a_rescan_that_hashes_elsewhere_publishes_only_with_every_answer) {
  temp_dir site;
  site.write("same.txt", "same");
  store s(site.path());
  site.write("new.txt", "new");
  site.write("gone.txt", "gone");
  store::rescan_job job(s, true);
  EXPECT_FALSE(job.step(std::numeric_limits<std::uint64_t>::max()));
  ASSERT_TRUE(job.walked());
  auto files = job.take_files_to_hash();
  ASSERT_EQ(files.size(), 2u);  // same.txt was hashed before and did not change
  std::vector<char> buffer(4096);
  job.hashed(hash_file(files[0].path, files[0].url, s.piece_size(), buffer));
  EXPECT_FALSE(job.step(std::numeric_limits<std::uint64_t>::max()));  // one answer missing
  EXPECT_EQ(s.current()->generation, 1u);
  job.hashed(std::nullopt);  // the other could not be read: left out
  EXPECT_TRUE(job.step(std::numeric_limits<std::uint64_t>::max()));
  EXPECT_EQ(s.current()->generation, 2u);
  EXPECT_EQ(s.current()->files.size(), 2u);
  EXPECT_NE(s.current()->find(files[0].url), nullptr);
  EXPECT_EQ(s.current()->find(files[1].url), nullptr);
}

}  // namespace
}  // namespace circlecdn::manifest
