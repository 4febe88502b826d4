// crowd_mirror as the tracker's swarm::remote_crowd: holders on other processes in one round trip
// (the sampling script), local holders' policy inputs published (coalesced per turn of the io
// loop), and orders published on the receiving process's channel.
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>

#include "cluster/crowd_mirror.hpp"
#include "cluster/scripts.hpp"

namespace circlecdn::cluster {

namespace {
constexpr unsigned penalised = 1, accused = 2, suspect = 4, unreachable = 8;  // input flags

std::string_view text_of(const redisReply* r) {
  return r && r->type == REDIS_REPLY_STRING ? std::string_view(r->str, r->len) : std::string_view{};
}
}  // namespace

std::string encode_inputs(const swarm::holder_inputs& in) {
  unsigned flags = (in.penalised ? penalised : 0) | (in.accused ? accused : 0) |
                   (in.suspect ? suspect : 0) | (in.unreachable ? unreachable : 0);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%u %u %u %u", in.uploads_in_flight, in.max_uploads,
                        in.uploads_completed, flags);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<swarm::holder_inputs> parse_inputs(std::string_view text) {
  std::uint32_t v[4];
  const char* at = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (at == end || *at != ' ') return std::nullopt;
      ++at;
    }
    auto [next, ec] = std::from_chars(at, end, v[i]);
    if (ec != std::errc{}) return std::nullopt;
    at = next;
  }
  if (at != end || v[3] > 15) return std::nullopt;
  swarm::holder_inputs in;
  in.uploads_in_flight = v[0];
  in.max_uploads = v[1];
  in.uploads_completed = v[2];
  in.penalised = v[3] & penalised;
  in.accused = v[3] & accused;
  in.suspect = v[3] & suspect;
  in.unreachable = v[3] & unreachable;
  return in;
}

void crowd_mirror::load_script() {
  sample_sha_.clear();
  link_.command({"SCRIPT", "LOAD", scripts::sample_holders}, [this](const redisReply* r) {
    if (auto sha = text_of(r); !sha.empty()) sample_sha_ = std::string(sha);
  });
}

void crowd_mirror::sample_holders(const content_hash& h, const peer_id& wanter, std::size_t max,
                                  holders_fn done) {
  ++figures_.samples;
  auto on_reply = [this, done](const redisReply* r) {
    std::vector<swarm::remote_holder> found;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
      ++figures_.samples_lost;
      return done(found);
    }
    for (std::size_t i = 0; i + 2 < r->elements; i += 3) {
      auto peer = peer_id::parse(text_of(r->element[i]));
      auto process = peer_id::parse(text_of(r->element[i + 1]));
      auto inputs = parse_inputs(text_of(r->element[i + 2]));
      if (!peer || !process || !inputs) continue;
      swarm::remote_holder rh;
      rh.policy = {*peer, inputs->uploads_in_flight, inputs->max_uploads, inputs->penalised,
                   false, inputs->uploads_completed, inputs->suspect,     inputs->accused};
      rh.process = *process;
      rh.unreachable = inputs->unreachable;
      found.push_back(rh);
    }
    done(found);
  };
  std::vector<std::string> args{"EVALSHA",    sample_sha_,        "0", h.hex(), proc_,
                                wanter.str(), std::to_string(max)};
  if (sample_sha_.empty()) {  // not loaded yet: the script itself (Redis caches it too)
    args[0] = "EVAL";
    args[1] = scripts::sample_holders;
  }
  auto first = [this, args, on_reply](const redisReply* r) mutable {
    // A Redis that restarted forgot the script: once more with its text, and load it again.
    if (r && r->type == REDIS_REPLY_ERROR &&
        std::string_view(r->str, r->len).starts_with("NOSCRIPT")) {
      args[0] = "EVAL";
      args[1] = scripts::sample_holders;
      load_script();
      if (!link_.command(args, on_reply)) on_reply(nullptr);
      return;
    }
    on_reply(r);
  };
  if (!link_.command(args, std::move(first))) on_reply(nullptr);
}

void crowd_mirror::holder_changed(const peer_id& p) {
  dirty_.insert(p);
  if (flush_armed_ || stopped_) return;
  flush_armed_ = true;
  flush_timer_.expires_after(std::chrono::seconds(0));
  flush_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // (cancelled: the mirror is stopping, maybe gone)
    flush_armed_ = false;
    flush_inputs();
  });
}

// One HSET for the holders that hold something, one HDEL for those that no longer do.
void crowd_mirror::flush_inputs() {
  if (!link_.up() || !inputs_of) {
    dirty_.clear();  // (resync re-sends everything)
    return;
  }
  std::vector<std::string> set{"HSET", keys::inputs(proc_)}, del{"HDEL", keys::inputs(proc_)};
  for (const auto& p : dirty_) {
    if (auto in = inputs_of(p)) {
      set.push_back(p.str());
      set.push_back(encode_inputs(*in));
    } else {
      del.push_back(p.str());
    }
  }
  dirty_.clear();
  if (set.size() > 2) {
    link_.command(set);
    // A key made here lives until the next heartbeat's PEXPIRE at most without an expiry; the
    // janitor removes it with its process anyway.
  }
  if (del.size() > 2) link_.command(del);
}

bool crowd_mirror::send(const peer_id& process, std::string order) {
  if (!link_.command({"PUBLISH", keys::channel(process.str()), std::move(order)})) return false;
  ++figures_.orders_sent;
  return true;
}

}  // namespace circlecdn::cluster
