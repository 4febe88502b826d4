#pragma once
// This process's part of the cluster's crowd, kept in Redis: its presence (a key with an expiry,
// refreshed every heartbeat), the hashes it has holders for (one field per process in each hash's
// Redis hash) and its peer count. A janitor script, run by every process at each heartbeat, removes
// what processes whose presence expired left behind, so a crashed process's holdings leave Redis
// within presence_ttl + heartbeat (8 s). Redis is never on the path of a local decision: the
// tracker keeps pairing local peers from its own ledger, and this mirror re-sends everything when
// Redis comes back (docs/operations.md, "Running a cluster").
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "cluster/redis_link.hpp"
#include "swarm/memory_directory.hpp"
#include "swarm/memory_ledger.hpp"

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
}  // namespace keys

struct cluster_figures {
  bool redis_up = false;
  std::uint64_t outages = 0, resyncs = 0, commands_refused = 0;
  std::uint64_t processes = 0;                  // processes present in Redis (this one included)
  std::uint64_t peers_online = 0;               // their peers, summed (as of the last heartbeat)
  std::uint64_t expired_processes_cleaned = 0;  // by this process's janitor runs
};

class crowd_mirror final : public swarm::holdings_observer {
 public:
  crowd_mirror(boost::asio::any_io_executor ex, redis_endpoint where, swarm::memory_directory& dir,
               swarm::memory_ledger& ledger, std::function<std::size_t()> peers_online);
  ~crowd_mirror() override;

  void start();
  void stop();
  const std::string& process_id() const { return proc_; }
  cluster_figures figures() const;

  // swarm::holdings_observer: this process's holder count of h went 0 -> 1 or 1 -> 0.
  void first_holder(const content_hash& h) override;
  void last_holder_gone(const content_hash& h) override;

 private:
  void resync();
  void tick();
  void schedule();

  redis_link link_;
  swarm::memory_directory& dir_;
  swarm::memory_ledger& ledger_;
  std::function<std::size_t()> peers_online_;
  std::string proc_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point last_answer_{};
  std::uint32_t ticks_down_ = 0;
  // After rejoining, a second resync this many heartbeats later: a connection given up on (a
  // frozen Redis) may still have commands in Redis's buffers, applied when it thaws, after ours.
  std::uint32_t settle_resync_in_ = 0;
  bool stopped_ = true;
  cluster_figures figures_;
};

}  // namespace circlecdn::cluster
