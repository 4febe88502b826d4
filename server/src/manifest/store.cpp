// The manifest store: scans the site, hashes what changed and publishes an immutable snapshot.
// Policy (see docs/origin.md): dotfiles and dot-directories are skipped (except .well-known),
// symlinks are listed only when they resolve to a regular file inside the root, directory symlinks
// are not followed (no loops, no double listing), other non-regular files are skipped.
#include "manifest/store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <limits>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>

#include "manifest/file_hasher.hpp"
#include "manifest/file_info.hpp"
#include "manifest/visibility.hpp"

namespace circlecdn::manifest {

namespace fs = std::filesystem;

namespace {

// Large sequential reads keep hashing syscall-light; 1 MiB is past the point where bigger reads
// stop helping SHA-256 throughput on the page cache.
constexpr std::size_t read_chunk_bytes = 1024 * 1024;
// Deeper trees than this are not a static site; the limit keeps a pathological tree from
// exhausting the stack.
constexpr int max_scan_depth = 64;
constexpr int manifest_version = 1;

constexpr std::uint64_t first_generation = 1;

struct found_file {
  fs::path path;    // on disk (may be a symlink to a file inside the root)
  std::string url;  // "/a/b.png"
  bool symlink = false;
};

bool inside(const fs::path& root, const fs::path& p) {
  auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  return r == root.end();
}

// Strict UTF-8 (no overlongs, no surrogates): the JSON must be valid for any browser to parse.
bool is_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    static constexpr std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

// Names a request could never reach (control characters, backslashes) or that the JSON could not
// carry (invalid UTF-8) are not listed.
bool is_addressable(const std::string& name) {
  return is_utf8(name) && std::none_of(name.begin(), name.end(), [](char ch) {
           const auto c = static_cast<unsigned char>(ch);
           return c < 0x20 || c == 0x7f || c == '\\';
         });
}

void walk(const fs::path& root, const fs::path& dir, const std::string& url_prefix, int depth,
          std::vector<found_file>& out) {
  if (depth > max_scan_depth) return;
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const auto& entry = *it;
    const std::string name = entry.path().filename().string();
    if (!is_public_name(name) || !is_addressable(name)) continue;
    std::string url = url_prefix + "/" + name;
    std::error_code sec;
    const auto st = entry.symlink_status(sec);
    if (sec) continue;
    if (fs::is_symlink(st)) {
      const auto target = fs::canonical(entry.path(), sec);
      if (sec || !inside(root, target) || !fs::is_regular_file(fs::status(target, sec))) continue;
      out.push_back({entry.path(), std::move(url), true});
    } else if (fs::is_directory(st)) {
      walk(root, entry.path(), url, depth + 1, out);
    } else if (fs::is_regular_file(st)) {
      out.push_back({entry.path(), std::move(url), false});
    }
  }
}

bool same_content(const snapshot& a, const snapshot& b) {
  if (a.files.size() != b.files.size()) return false;
  for (const auto& [path, e] : a.files) {
    const auto it = b.files.find(path);
    if (it == b.files.end() || it->second.size != e.size || it->second.sha256 != e.sha256 ||
        it->second.pieces != e.pieces)
      return false;
  }
  return true;
}

bool same_versions(const snapshot& a, const snapshot& b) {
  for (const auto& [path, e] : a.files) {
    const auto it = b.files.find(path);
    if (it == b.files.end() || !it->second.version.same_version(e.version)) return false;
  }
  return true;
}

std::string serialise(const snapshot& s, bool with_generation = true) {
  std::vector<const file_entry*> sorted;
  sorted.reserve(s.files.size());
  for (const auto& [path, e] : s.files) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(),
            [](const file_entry* a, const file_entry* b) { return a->path < b->path; });

  boost::json::array files;
  files.reserve(sorted.size());
  for (const auto* e : sorted) {
    if (!e->crowd) continue;
    boost::json::object f;
    f["path"] = e->path;
    f["size"] = e->size;
    f["sha256"] = e->sha256.hex();
    if (!e->pieces.empty()) {
      boost::json::array pieces;
      pieces.reserve(e->pieces.size());
      for (const auto& p : e->pieces) pieces.emplace_back(p.hex());
      f["pieces"] = std::move(pieces);
    }
    files.emplace_back(std::move(f));
  }
  boost::json::object root;
  root["version"] = manifest_version;
  if (with_generation) root["generation"] = s.generation;
  root["piece_size"] = s.piece_size;
  root["files"] = std::move(files);
  return boost::json::serialize(root);
}

}  // namespace

const file_entry* snapshot::find(std::string_view url_path) const {
  const auto it = files.find(url_path);
  return it == files.end() ? nullptr : &it->second;
}

store::store(fs::path root, std::uint64_t piece_size, crowd_filter crowd, fs::path hash_cache)
    : piece_size_(piece_size), crowd_(std::move(crowd)), hash_cache_(std::move(hash_cache)) {
  if (piece_size_ == 0) throw std::invalid_argument("manifest: piece size must be positive");
  // A missing root is not fatal here: the manifest is simply empty until the directory exists.
  std::error_code ec;
  root_ = fs::weakly_canonical(root, ec);
  if (ec) root_ = std::move(root);
  auto empty = std::make_shared<snapshot>();
  empty->generation = first_generation - 1;
  empty->piece_size = piece_size_;
  current_ = std::move(empty);
  if (!hash_cache_.empty()) {
    auto loaded = load_hashes(hash_cache_, piece_size_);
    if (!loaded.problem.empty())
      spdlog::warn("hash cache {} ignored: {}", hash_cache_.string(), loaded.problem);
    loaded_ = std::move(loaded.files);
    defer_unknown_ = loaded.found;
  }
  rescan();
  defer_unknown_ = false;
  // The first scan is generation 1 even for an empty site, so 0 never names a published state.
  if (current()->generation == 0) {
    auto first = std::make_shared<snapshot>(*current());
    first->generation = first_generation;
    first->json = serialise(*first);
    first->content_tag = content_hash::of(serialise(*first, false));
    std::lock_guard lock(mutex_);
    current_ = std::move(first);
  }
}

store::scan_counts store::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

void store::save(const snapshot& s) const {
  std::vector<hashed_file> files;
  files.reserve(s.files.size());
  for (const auto& [url, e] : s.files) files.push_back({&url, &e.version, &e.sha256, &e.pieces});
  if (auto error = save_hashes(hash_cache_, piece_size_, files); !error.empty())
    spdlog::warn("hash cache: {}", error);
}

std::shared_ptr<const snapshot> store::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void store::watch_started() {
  note_change();
  watching_.store(true, std::memory_order_release);
}

void store::watch_stopped() {
  watching_.store(false, std::memory_order_release);
}

void store::note_change() {
  changes_.fetch_add(1, std::memory_order_acq_rel);
}

// What a rescan carries from one step to the next.
struct store::rescan_job::state {
  store& s;
  std::unique_lock<std::mutex> scan_lock;
  std::uint64_t seen = 0;  // changes_ when the walk started
  std::shared_ptr<const snapshot> old;
  std::vector<found_file> found;
  std::size_t next_file = 0;
  std::shared_ptr<snapshot> next = std::make_shared<snapshot>();
  std::vector<char> buffer;
  scan_counts counts;
  std::optional<file_hasher> hashing;  // the file being read, across steps
  bool finished = false;
  bool elsewhere = false;             // hash_elsewhere: files to read go to to_hash
  std::vector<hash_request> to_hash;  // not handed out yet
  std::size_t handed = 0, answered = 0;
  explicit state(store& st) : s(st), scan_lock(st.scan_mutex_) {}
  void publish();
};

// A stat or a cache hit, in bytes of reading: 100,000 unchanged files then take about 25 steps.
constexpr std::uint64_t stat_cost_bytes = 16 * 1024;

store::rescan_job::rescan_job(store& s, bool hash_elsewhere) : st_(std::make_unique<state>(s)) {
  st_->elsewhere = hash_elsewhere;
  // Changes reported from here on may be missed by this walk: they keep the cache untrusted
  // until the rescan that follows them.
  st_->seen = s.changes_.load(std::memory_order_acquire);
  st_->old = s.current();
  walk(s.root_, s.root_, "", 0, st_->found);
  st_->next->piece_size = s.piece_size_;
}

store::rescan_job::~rescan_job() = default;

bool store::rescan_job::step(std::uint64_t budget) {
  auto& t = *st_;
  auto& s = t.s;
  std::uint64_t spent = 0;
  while (!t.finished && spent < budget) {
    if (t.hashing) {  // a file read over several steps
      if (t.buffer.empty()) t.buffer.resize(read_chunk_bytes);
      const auto read_before = t.hashing->bytes_read();
      const auto now = t.hashing->step(t.buffer, budget - spent);
      spent += std::max<std::uint64_t>(t.hashing->bytes_read() - read_before, 1);
      if (now == file_hasher::state::reading) continue;
      if (now == file_hasher::state::done) {
        auto e = t.hashing->take();
        ++t.counts.hashed;
        t.counts.hashed_bytes += e.size;
        auto url = e.path;
        t.next->files.emplace(std::move(url), std::move(e));
      }
      t.hashing.reset();
      continue;
    }
    if (t.next_file == t.found.size()) {
      if (t.elsewhere && (!t.to_hash.empty() || t.answered < t.handed)) break;  // hashes to come
      t.publish();
      t.finished = true;
      break;
    }
    auto& f = t.found[t.next_file++];
    spent += stat_cost_bytes;
    const auto info = file_info_of(f.path.c_str());
    if (!info || !info->regular) continue;
    if (const auto* prev = t.old->find(f.url); prev && prev->version.same_version(*info)) {
      t.next->files.emplace(f.url, *prev);
      continue;
    }
    if (const auto it = s.loaded_.find(f.url);
        it != s.loaded_.end() && it->second.version.same_version(*info)) {
      file_entry e;
      e.path = f.url;
      e.size = info->size;
      e.sha256 = it->second.sha256;
      e.pieces = it->second.pieces;  // copied: a job dropped halfway must leave loaded_ whole
      e.version = *info;
      t.next->files.emplace(f.url, std::move(e));
      ++t.counts.from_hash_cache;
      continue;
    }
    if (s.defer_unknown_) {
      ++t.counts.waiting;
      continue;
    }
    if (t.elsewhere)
      t.to_hash.push_back({f.path, f.url});
    else
      t.hashing.emplace(f.path, f.url, s.piece_size_);
  }
  return t.finished;
}

bool store::rescan_job::walked() const {
  return st_->next_file == st_->found.size() && !st_->hashing;
}

std::vector<hash_request> store::rescan_job::take_files_to_hash() {
  st_->handed += st_->to_hash.size();
  return std::exchange(st_->to_hash, {});
}

void store::rescan_job::hashed(std::optional<file_entry> e) {
  auto& t = *st_;
  ++t.answered;
  if (!e) return;
  ++t.counts.hashed;
  t.counts.hashed_bytes += e->size;
  auto url = e->path;
  t.next->files.emplace(std::move(url), std::move(*e));
}

void store::rescan() {
  rescan_job job(*this);
  while (!job.step(std::numeric_limits<std::uint64_t>::max())) {
  }
}

void store::rescan_job::state::publish() {
  if (!s.defer_unknown_) s.loaded_.clear();  // every file is in the snapshots from now on
  {
    std::lock_guard lock(s.mutex_);
    s.counts_.from_hash_cache += counts.from_hash_cache;
    s.counts_.hashed += counts.hashed;
    s.counts_.hashed_bytes += counts.hashed_bytes;
    s.counts_.waiting = counts.waiting;
  }
  // After publishing: whoever reads the line finds the snapshot it describes.
  const bool save_cache =
      !s.hash_cache_.empty() && (counts.hashed > 0 || next->files.size() < old->files.size());
  auto report = [&] {
    if (counts.waiting > 0 || counts.from_hash_cache > 0 || counts.hashed > 0)
      spdlog::info("manifest: {} files from the hash cache, {} hashed ({} bytes), {} left to hash",
                   counts.from_hash_cache, counts.hashed, counts.hashed_bytes, counts.waiting);
  };

  const bool content_changed = !same_content(*old, *next);
  if (!content_changed && same_versions(*old, *next)) {  // nothing new to publish
    s.settled_.store(seen, std::memory_order_release);
    report();
    return;
  }
  for (auto& [path, e] : next->files) {
    e.crowd = s.crowd_.carries(path);
    if (!e.crowd) continue;
    next->hashes.insert(e.sha256);
    next->hashes.insert(e.pieces.begin(), e.pieces.end());
  }
  if (content_changed) {
    next->generation = old->generation + 1;
    next->json = serialise(*next);
    next->content_tag = content_hash::of(serialise(*next, false));
  } else {
    // Only mtimes moved (a touch, a copy of identical bytes): same generation, same JSON, but the
    // new mtimes so the origin keeps recognising the files as hashed.
    next->generation = old->generation;
    next->json = old->json;
    next->content_tag = old->content_tag;
  }
  if (save_cache) s.save(*next);
  {
    std::lock_guard lock(s.mutex_);
    s.current_ = std::move(next);
  }
  s.settled_.store(seen, std::memory_order_release);  // after the snapshot it vouches for
  report();
}

}  // namespace circlecdn::manifest
