#include "cluster/crowd_mirror.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include "cluster/scripts.hpp"

namespace circlecdn::cluster {

namespace {

std::uint64_t integer_of(const redisReply* r) {
  return r && r->type == REDIS_REPLY_INTEGER && r->integer > 0
             ? static_cast<std::uint64_t>(r->integer)
             : 0;
}

}  // namespace

crowd_mirror::crowd_mirror(boost::asio::any_io_executor ex, redis_endpoint where,
                           swarm::memory_directory& dir, swarm::memory_ledger& ledger,
                           std::function<std::size_t()> peers_online)
    : link_(ex, where),
      bus_(ex, std::move(where)),
      dir_(dir),
      ledger_(ledger),
      peers_online_(std::move(peers_online)),
      self_(peer_id::random()),
      proc_(self_.str()),
      timer_(ex),
      flush_timer_(ex) {
  link_.on_up = [this] {
    if (figures_.resyncs > 0) settle_resync_in_ = 3;  // a rejoin: again two heartbeats later
    resync();
  };
  bus_.on_up = [this] { bus_.subscribe(keys::channel(proc_)); };
  bus_.on_message = [this](std::string_view order) {
    ++figures_.orders_received;
    if (on_order) on_order(order);
  };
}

crowd_mirror::~crowd_mirror() {
  stop();
  link_.stop();  // (the io_context may have stopped before a graceful close finished)
  bus_.stop();
}

void crowd_mirror::start() {
  stopped_ = false;
  ledger_.set_observer(this);
  spdlog::info("event=cluster_start process={}", proc_);
  link_.start();
  bus_.start();
  schedule();
}

void crowd_mirror::stop() {
  if (stopped_) return;
  stopped_ = true;
  ledger_.set_observer(nullptr);
  timer_.cancel();
  flush_timer_.cancel();
  // A clean stop takes this process out at once (a crash waits for the janitor).
  if (link_.up()) link_.command({"EVAL", scripts::forget_process, "0", proc_});
  link_.close_gracefully();
  bus_.stop();
}

cluster_figures crowd_mirror::figures() const {
  auto f = figures_;
  f.redis_up = link_.up();
  f.outages = link_.outages();
  f.commands_refused = link_.commands_refused();
  return f;
}

// (Re)joining: whatever Redis still has of this process (a short outage) or not (a Redis that
// restarted empty, a janitor that forgot us) is replaced by what the ledger holds now.
void crowd_mirror::resync() {
  ++figures_.resyncs;
  last_answer_ = std::chrono::steady_clock::now();
  link_.command({"EVAL", scripts::forget_process, "0", proc_});
  load_script();
  published_tag_.reset();  // published again below (tick)
  auto ttl_ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(presence_rules::ttl).count());
  link_.command({"SET", keys::presence(proc_), "1", "PX", ttl_ms});
  link_.command({"SADD", keys::processes, proc_});
  std::size_t hashes = 0, holdings = 0;
  dir_.for_each_hash([&](const content_hash& h) {
    link_.command({"SADD", keys::held_by(proc_), h.hex()});
    ++hashes;
  });
  dir_.for_each_holding([&](const content_hash& h, const peer_id& p) {
    holding_added(h, p, false);
    ++holdings;
  });
  spdlog::info("event=cluster_joined process={} hashes={} holdings={}", proc_, hashes, holdings);
  tick();
}

// The index of hashes (held:<process>) is written before the holder's field, so the janitor,
// which finds a dead process's fields through it, never misses one.
void crowd_mirror::holding_added(const content_hash& h, const peer_id& p, bool first_here) {
  if (!link_.up()) return;  // (resync re-sends everything)
  auto hex = h.hex();
  if (first_here) link_.command({"SADD", keys::held_by(proc_), hex});
  link_.command({"HSET", keys::holders(hex), p.str(), proc_});
  holder_changed(p);
}

void crowd_mirror::holding_removed(const content_hash& h, const peer_id& p, bool last_here) {
  if (!link_.up()) return;
  auto hex = h.hex();
  link_.command({"HDEL", keys::holders(hex), p.str()});
  if (last_here) link_.command({"SREM", keys::held_by(proc_), hex});
  holder_changed(p);
}

void crowd_mirror::schedule() {
  if (stopped_) return;
  timer_.expires_after(presence_rules::heartbeat);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    tick();
    schedule();
  });
}

// The heartbeat: presence refreshed, peer count written, the janitor run, the cluster's figures
// read back; and the watchdog for a Redis that stopped answering.
void crowd_mirror::tick() {
  auto now = std::chrono::steady_clock::now();
  if (!link_.up()) {
    if (++ticks_down_ % 3 == 0) link_.reset();  // a connect that hangs is started again
    return;
  }
  ticks_down_ = 0;
  if (settle_resync_in_ > 0 && --settle_resync_in_ == 0) return resync();  // (resync ticks too)
  if (now - last_answer_ > presence_rules::answer_within) {
    last_answer_ = now;
    link_.reset();
    return;
  }
  auto ttl_ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(presence_rules::ttl).count());
  link_.command({"SET", keys::presence(proc_), "1", "PX", ttl_ms});
  link_.command({"SADD", keys::processes, proc_});
  link_.command({"PEXPIRE", keys::inputs(proc_), ttl_ms});
  link_.command({"HSET", keys::peers, proc_, std::to_string(peers_online_())});
  publish_manifest();
  compare_manifests();
  link_.command({"EVAL", scripts::janitor, "0"}, [this](const redisReply* r) {
    if (auto n = integer_of(r)) {
      figures_.expired_processes_cleaned += n;
      spdlog::info("event=cluster_processes_expired count={}", n);
    }
  });
  link_.command({"HVALS", keys::peers}, [this](const redisReply* r) {
    if (!r || r->type != REDIS_REPLY_ARRAY) return;
    last_answer_ = std::chrono::steady_clock::now();
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < r->elements; ++i)
      if (r->element[i]->type == REDIS_REPLY_STRING)
        sum += std::strtoull(r->element[i]->str, nullptr, 10);
    figures_.processes = r->elements;
    figures_.peers_online = sum;
  });
}

}  // namespace circlecdn::cluster
