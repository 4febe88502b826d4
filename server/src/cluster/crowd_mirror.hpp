#pragma once
// This process's part of the cluster's crowd, kept in Redis: its presence (a key with an expiry,
// refreshed every heartbeat), its holders (one field per peer, valued with this process's id, in
// each hash's Redis hash), their policy inputs (one hash per process, expiring with its
// presence) and its peer count. A janitor script, run by every process at each heartbeat, removes
// what processes whose presence expired left behind, so a crashed process's holdings leave Redis
// within presence_ttl + heartbeat (8 s), and are never chosen after presence_ttl (their inputs
// expired). It is also the tracker's swarm::remote_crowd: holders elsewhere in one round trip (a
// Lua script), orders to other processes on their pub/sub channel, and this process's own channel
// on a second connection. Redis is never on the path of a local decision: the tracker keeps
// pairing local peers from its own ledger, and this mirror re-sends everything when Redis comes
// back (docs/operations.md, "Running a cluster").
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "cluster/redis_link.hpp"
#include "swarm/memory_directory.hpp"
#include "swarm/memory_ledger.hpp"
#include "swarm/remote_crowd.hpp"

namespace circlecdn::cluster {

namespace presence_rules {
using namespace std::chrono_literals;
// A process's presence key lives this long unless refreshed: how long a crashed process's peers
// may still be listed (plus one heartbeat, when the janitor runs).
constexpr auto ttl = 6s;
constexpr auto heartbeat = 2s;
// Without a reply to the heartbeat for this long, the connection is dropped and made again (a
// Redis that stopped answering without closing, e.g. SIGSTOP or a dead network path).
constexpr auto answer_within = 5s;
}  // namespace presence_rules

// Redis key names (one place, so tests and docs read the same).
namespace keys {
inline const std::string prefix = "circlecdn:";
inline std::string presence(const std::string& proc) {
  return prefix + "proc:" + proc;
}
inline const std::string processes = prefix + "procs";  // set of process ids
inline const std::string peers = prefix + "peers";      // hash: process id -> peers online
inline std::string holders(const std::string& hash_hex) {
  return prefix + "holders:" + hash_hex;
}
inline std::string held_by(const std::string& proc) {
  return prefix + "held:" + proc;
}
inline std::string inputs(const std::string& proc) {  // hash: peer -> its policy inputs
  return prefix + "load:" + proc;
}
inline std::string channel(const std::string& proc) {  // pub/sub: orders for this process
  return prefix + "to:" + proc;
}
inline std::string manifest(const std::string& proc) {  // hash: path -> content hash (hex)
  return prefix + "manifest:" + proc;
}
// hash: process id -> its manifest's content tag (equal tags: equal manifests, nothing to compare)
inline const std::string manifest_tags = prefix + "mtags";
}  // namespace keys

// A holder's policy inputs as published: "uploads max completed flags" (flags: 1 penalised,
// 2 accused, 4 suspect, 8 unreachable). Pure, tested on its own.
std::string encode_inputs(const swarm::holder_inputs& in);
std::optional<swarm::holder_inputs> parse_inputs(std::string_view text);

struct cluster_figures {
  bool redis_up = false;
  std::uint64_t outages = 0, resyncs = 0, commands_refused = 0;
  std::uint64_t processes = 0;                  // processes present in Redis (this one included)
  std::uint64_t peers_online = 0;               // their peers, summed (as of the last heartbeat)
  std::uint64_t expired_processes_cleaned = 0;  // by this process's janitor runs
  std::uint64_t samples = 0, samples_lost = 0;  // holder samples asked, and unanswered
  std::uint64_t orders_sent = 0, orders_received = 0;
  std::uint64_t manifest_mismatches = 0;  // paths whose hash another process disagrees with, now
};

class crowd_mirror final : public swarm::holdings_observer, public swarm::remote_crowd {
 public:
  using inputs_fn = std::function<std::optional<swarm::holder_inputs>(const peer_id&)>;
  // This process's manifest: its content tag (asked every heartbeat) and, when the tag changed,
  // its files (path, whole-file hash, piece hashes).
  struct manifest_file {
    std::string path;
    content_hash hash;
    std::vector<content_hash> pieces;
  };
  struct manifest_view {
    content_hash tag;
    std::vector<manifest_file> files;
  };

  crowd_mirror(boost::asio::any_io_executor ex, redis_endpoint where, swarm::memory_directory& dir,
               swarm::memory_ledger& ledger, std::function<std::size_t()> peers_online);
  ~crowd_mirror() override;

  // Set before start(): a local holder's inputs (the tracker's), orders for this process (to the
  // tracker), and this process's manifest.
  inputs_fn inputs_of;
  order_fn on_order;
  std::function<content_hash()> manifest_tag;
  std::function<manifest_view()> manifest;

  void start();
  void stop();
  const std::string& process_id() const { return proc_; }
  cluster_figures figures() const;

  // swarm::holdings_observer: every holding added or removed here.
  void holding_added(const content_hash& h, const peer_id& p, bool first_here) override;
  void holding_removed(const content_hash& h, const peer_id& p, bool last_here) override;

  // swarm::remote_crowd (crowd_exchange.cpp).
  bool up() const override { return link_.up(); }
  const peer_id& self() const override { return self_; }
  void sample_holders(const content_hash& h, const peer_id& wanter, std::size_t max,
                      holders_fn done) override;
  void holder_changed(const peer_id& p) override;
  bool send(const peer_id& process, std::string order) override;
  bool disputed(const content_hash& h) const override { return disputed_.contains(h); }

 private:
  void resync();
  void tick();
  void schedule();
  void flush_inputs();
  void load_script();
  // Manifest agreement (crowd_manifest.cpp): publishes this process's paths, compares them with
  // every other present process's, and refuses the hashes of paths they disagree on.
  void publish_manifest();
  void compare_manifests();

  redis_link link_;
  redis_link bus_;  // subscribed to this process's channel (a subscribed connection does no more)
  swarm::memory_directory& dir_;
  swarm::memory_ledger& ledger_;
  std::function<std::size_t()> peers_online_;
  peer_id self_;
  std::string proc_;  // self_, as Redis keys and fields spell it
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer flush_timer_;  // coalesces input changes within one turn of the loop
  std::unordered_set<peer_id> dirty_;      // holders whose inputs are to be re-published
  bool flush_armed_ = false;
  std::string sample_sha_;  // the holder-sampling script as Redis knows it (SCRIPT LOAD)
  // Manifest agreement: the tag last published (none: publish at the next heartbeat), this
  // process's files by path, and per other process the tag compared and the hashes it disputes.
  std::optional<content_hash> published_tag_;
  std::unordered_map<std::string, manifest_file> my_files_;
  struct other_manifest {
    std::string tag;
    std::vector<content_hash> disputed;  // this process's hashes for the paths it differs on
    std::size_t paths = 0;
  };
  std::unordered_map<std::string, other_manifest> others_;
  std::unordered_set<content_hash> disputed_;
  void rebuild_disputed();
  std::chrono::steady_clock::time_point last_answer_{};
  std::uint32_t ticks_down_ = 0;
  // After rejoining, a second resync this many heartbeats later: a connection given up on (a
  // frozen Redis) may still have commands in Redis's buffers, applied when it thaws, after ours.
  std::uint32_t settle_resync_in_ = 0;
  bool stopped_ = true;
  cluster_figures figures_;
};

}  // namespace circlecdn::cluster
