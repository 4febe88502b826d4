// Manifest agreement across processes: each process publishes its path -> hash map and its
// manifest's content tag; at each heartbeat it compares with every other present process whose
// tag differs from its own, and refuses to pair on its own hashes (file and pieces) of the paths
// they disagree on, so a peer is never served another version of a file under the same name by
// a pairing across processes (the bytes would fail verification: a wasted path, and reports
// against an honest holder). Logged once per disagreement, counted in /metrics.
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include "cluster/crowd_mirror.hpp"

namespace circlecdn::cluster {

namespace {
constexpr std::size_t fields_per_command = 512;  // HSET in chunks: no giant command for a big site

std::string_view text_of(const redisReply* r) {
  return r && r->type == REDIS_REPLY_STRING ? std::string_view(r->str, r->len) : std::string_view{};
}
}  // namespace

void crowd_mirror::publish_manifest() {
  if (!manifest_tag || !manifest) return;
  auto tag = manifest_tag();
  if (published_tag_ && *published_tag_ == tag) return;
  auto view = manifest();
  my_files_.clear();
  link_.command({"DEL", keys::manifest(proc_)});
  std::vector<std::string> args{"HSET", keys::manifest(proc_)};
  for (auto& f : view.files) {
    args.push_back(f.path);
    args.push_back(f.hash.hex());
    if (args.size() >= 2 + 2 * fields_per_command) {
      link_.command(args);
      args.resize(2);
    }
    my_files_.emplace(f.path, std::move(f));
  }
  if (args.size() > 2) link_.command(args);
  link_.command({"HSET", keys::manifest_tags, proc_, view.tag.hex()});
  published_tag_ = view.tag;
  others_.clear();  // compare everyone again against the new files
  rebuild_disputed();
}

void crowd_mirror::compare_manifests() {
  if (!published_tag_) return;
  link_.command({"HGETALL", keys::manifest_tags}, [this](const redisReply* r) {
    if (!r || r->type != REDIS_REPLY_ARRAY || !published_tag_) return;
    auto mine = published_tag_->hex();
    std::unordered_set<std::string> present;
    for (std::size_t i = 0; i + 1 < r->elements; i += 2) {
      std::string proc(text_of(r->element[i])), tag(text_of(r->element[i + 1]));
      if (proc == proc_) continue;
      present.insert(proc);
      auto& other = others_[proc];
      if (tag == mine) {
        other = {tag, {}, 0};
        continue;
      }
      if (other.tag == tag) continue;  // compared at this tag already
      other.tag = tag;
      link_.command({"HGETALL", keys::manifest(proc)}, [this, proc, tag](const redisReply* m) {
        if (!m || m->type != REDIS_REPLY_ARRAY) return;
        auto it = others_.find(proc);
        if (it == others_.end() || it->second.tag != tag) return;  // (moved on meanwhile)
        auto& other = it->second;
        other.disputed.clear();
        other.paths = 0;
        for (std::size_t j = 0; j + 1 < m->elements; j += 2) {
          auto f = my_files_.find(std::string(text_of(m->element[j])));
          if (f == my_files_.end() || f->second.hash.hex() == text_of(m->element[j + 1])) continue;
          ++other.paths;
          other.disputed.push_back(f->second.hash);
          for (const auto& piece : f->second.pieces) other.disputed.push_back(piece);
          spdlog::warn(
              "event=cluster_manifest_mismatch path={} here={} process={} there={} (not paired "
              "on: the processes serve different bytes under this path)",
              f->first, f->second.hash.hex(), proc, text_of(m->element[j + 1]));
        }
        rebuild_disputed();
      });
    }
    std::erase_if(others_, [&](auto& kv) { return !present.contains(kv.first); });
    rebuild_disputed();
  });
}

void crowd_mirror::rebuild_disputed() {
  disputed_.clear();
  std::uint64_t paths = 0;
  for (const auto& [proc, other] : others_) {
    disputed_.insert(other.disputed.begin(), other.disputed.end());
    paths += other.paths;
  }
  figures_.manifest_mismatches = paths;
}

}  // namespace circlecdn::cluster
