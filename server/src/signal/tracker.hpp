#pragma once
// The signaling tracker: admission (per-peer rate, size and shape, through the parser) and one
// handler per message type (signal/handlers/, reports and proofs in tracker_checks.cpp). It binds
// connections to peer ids, pairs wanters with holders, relays signals only between paired peers
// and enforces every per-peer limit; the crowd's state (holdings, transfers, fetch claims,
// penalties, path outcomes) is the ledger's (swarm/ledger.hpp). Single-threaded: it lives on the
// server's io thread. It never touches a socket; sessions feed it text and it answers through
// peer_link.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/token.hpp"
#include "metrics/histogram.hpp"
#include "routing/crowd_miss.hpp"
#include "routing/ring.hpp"
#include "signal/challenges.hpp"
#include "signal/cluster_orders.hpp"
#include "signal/ice_config.hpp"
#include "signal/ice_renewals.hpp"
#include "signal/limits.hpp"
#include "signal/message.hpp"
#include "signal/peer_link.hpp"
#include "swarm/holder_policy.hpp"
#include "swarm/ledger.hpp"
#include "swarm/miss_reason.hpp"
#include "swarm/penalties.hpp"
#include "swarm/remote_crowd.hpp"
#include "swarm/served_record.hpp"

namespace circlecdn::signal {

struct peer_state;

// The miss reasons, as `miss.reason` spells them (docs/protocol.md); metrics label by them.
using swarm::miss_reason;
using swarm::miss_reason_names;

// The signaling side's metric state (the HTTP side's is metrics::registry). Read by /metrics,
// /.circlecdn/stats and the dashboard.
struct tracker_counters {
  std::uint64_t wants = 0, matches = 0, misses = 0, signals_relayed = 0, reports = 0;
  std::uint64_t errors_sent = 0, disconnects_for_errors = 0, wants_expired = 0;
  // done ok:false by reason; holders marked unreachable; `ice` messages sent.
  std::uint64_t paths_failed_connect = 0, paths_failed_timeout = 0, paths_failed_closed = 0;
  std::uint64_t holders_unreachable = 0, ice_renewals = 0;
  // Valid messages by type (inbound_type_names), and those refused before a type was known
  // (rate-limited, unparsable, unknown type).
  std::array<std::uint64_t, std::variant_size_v<inbound>> messages_by_type{};
  std::uint64_t messages_refused = 0;
  std::array<std::uint64_t, error_code_count> errors_by_code{};
  std::array<std::uint64_t, miss_reason_names.size()> misses_by_reason{};
  // Server-observed latencies: handling a want up to its match or miss, and a pairing from match
  // to done ok:true.
  metrics::histogram want_seconds{metrics::fast_buckets_s};
  metrics::histogram pairing_seconds{metrics::item_buckets_s};
  // Bytes that done ok:true said a pairing carried (clamped to one item), per hash while
  // resources_remembered allows, the rest in peer_bytes_other.
  std::uint64_t peer_bytes_done = 0, peer_bytes_other = 0;
  std::unordered_map<content_hash, std::uint64_t> peer_bytes_by_hash;
  // `usage` reports (untrusted, bounded per peer: limits::usage_*): bytes by usage_source,
  // accepted reports, refused reports (too frequent), bytes cut by the per-peer allowance.
  std::array<std::uint64_t, usage_source_count> reported_bytes{};
  std::uint64_t usage_reports = 0, usage_refused = 0, usage_clamped_bytes = 0;
  std::uint64_t reported_verify_failures = 0;
  // With a cluster (swarm/remote_crowd.hpp): wants that asked other processes for holders, those
  // matched with a holder there, orders from other processes (applied, and refused as malformed
  // or not matching a pairing), signals relayed to another process.
  std::uint64_t remote_asks = 0, remote_matches = 0, orders_received = 0, orders_refused = 0;
  std::uint64_t signals_relayed_remote = 0, remote_refusals = 0;
  std::uint64_t disputed_refusals = 0;  // wants for a hash the processes' manifests disagree on
  std::array<metrics::histogram, usage_source_count> reported_item_seconds{
      metrics::histogram{metrics::item_buckets_s}, metrics::histogram{metrics::item_buckets_s},
      metrics::histogram{metrics::item_buckets_s}};
  // Routing (docs/routing.md, "The server side"): `connect`s answered (ring: a want that chose
  // its holder; chord: a routing connection), `ring` orders and `link` orders sent, and miss
  // tokens issued for the crowd's reasons (`miss_token`), by reason.
  std::uint64_t routing_connects = 0, ring_orders = 0, links_ordered = 0;
  std::array<std::uint64_t, routing::crowd_miss_count> crowd_misses{};
};

// Reports and possession challenges (docs/protocol.md, "Reports" and "Possession challenges").
struct check_counters {
  std::uint64_t reports_refused = 0, penalties = 0, reporters_contradicted = 0;
  std::uint64_t penalties_lifted = 0;  // a lone report's penalty ended by the holder's proof
  std::uint64_t challenges_sent = 0, challenges_passed = 0, challenges_failed = 0;
  std::uint64_t challenges_refused = 0, challenges_unanswered = 0, challenges_skipped = 0;
};

class tracker {
 public:
  using clock = std::chrono::steady_clock;
  using known_hash_fn = std::function<bool(const content_hash&)>;
  // The clock TURN credential expiry is written in (unix time); tests inject their own.
  using wall_clock = std::chrono::system_clock;
  using wall_fn = std::function<wall_clock::time_point()>;
  // SHA-256(nonce || the bytes of hash) from the origin's copy, or nullopt when the server cannot
  // read them (not in the manifest, the file changed): what a possession proof must equal.
  using proof_fn =
      std::function<std::optional<content_hash>(const content_hash& h, std::string_view nonce)>;

  tracker(const limits& lim, const ice_config& ice, swarm::ledger& ledger,
          swarm::served_record& served, const token_signer& tokens, known_hash_fn known_hash,
          wall_fn wall = wall_clock::now, proof_fn proof = {});
  ~tracker();

  // A connection arrives, with the visitor's secret from its cookie if it had a well-formed one.
  // It gets a fresh random public id, and the welcome. The returned state lives until leave().
  // `address`: the client's address as the server sees it (penalties leave a strike on it).
  peer_state* join(peer_link& link, std::optional<peer_id> visitor, clock::time_point now,
                   std::string address = {});
  void leave(peer_state* p);

  // One text frame from p (any size: over the limit is answered with too_large).
  void on_text(peer_state* p, std::string_view text, clock::time_point now);
  // A binary frame: not part of the protocol.
  void on_binary(peer_state* p, clock::time_point now);
  // Releases wants older than the want timeout and sends TURN credentials that fall due for
  // renewal; call about once a second.
  void expire(clock::time_point now);
  // Tells everyone the server is stopping (error shutting_down); sessions then close with 1001.
  void announce_shutdown();
  // Sends one shared frame to every peer online (the `manifest` notice).
  void broadcast(const frame& f);

  // Joins a cluster: wants with no idle holder here ask `r` for holders on other processes, and
  // pairings across processes are carried by orders (signal/cluster_orders.hpp). Null (the
  // default): this process alone, the synchronous path. Set before the first peer joins.
  void set_remote(swarm::remote_crowd* r) { remote_ = r; }
  // An order from another process (its text as published).
  void on_order(std::string_view text, clock::time_point now);
  // What the cluster is told of a local holder (nullopt: not connected here, or holds nothing).
  std::optional<swarm::holder_inputs> holder_inputs_of(const peer_id& id,
                                                       clock::time_point now) const;

  std::size_t peers_online() const { return peers_.size(); }
  // The most peers online since the last call (then it starts again from now).
  std::size_t take_peak() { return std::exchange(peak_, peers_.size()); }
  // Peers online from one client address (the upgrade's admission check: --peers-per-address).
  std::size_t peers_from(const std::string& address) const {
    auto it = per_address_.find(address);
    return it == per_address_.end() ? 0 : it->second;
  }
  std::size_t holdings() const;
  std::size_t fetches_remembered() const { return ledger_.fetches(); }
  std::size_t ice_renewals_queued() const { return renewals_.size(); }
  const tracker_counters& counters() const { return counters_; }
  // Peers under a penalty now.
  std::size_t penalised_now(clock::time_point now) const;
  const check_counters& checks() const { return checks_; }
  bool is_penalised(const peer_id& id, clock::time_point now) const;
  const peer_id& id_of(const peer_state* p) const;
  // The origin saw a miss token this tracker issued for `miss_token` (X-Circle-Miss): it no longer
  // counts among its peer's wants in flight. `hash_prefix`: the token's (token_signer::miss_claim).
  void miss_token_used(const peer_id& peer, std::span<const std::uint8_t> hash_prefix);
  std::size_t ring_members() const { return ring_.size(); }

 private:
  void dispatch(peer_state& p, inbound& msg, clock::time_point now);
  void on_hello(peer_state& p, hello_msg& m, clock::time_point now);
  void on_announce(peer_state& p, const announce_msg& m, clock::time_point now);
  void on_drop(peer_state& p, const drop_msg& m);
  void on_want(peer_state& p, const want_msg& m, clock::time_point now);
  void on_done(peer_state& p, const done_msg& m, clock::time_point now);
  void on_signal(peer_state& p, const signal_msg& m);
  // A want (or a ring connect, which names its holder: `only`): match with a holder or miss.
  void answer_want(peer_state& p, std::uint32_t id, const content_hash& hash, const peer_id* only,
                   clock::time_point now);
  // Checks a new want id: false (and an error sent) when it is in flight or too many are.
  bool admit_want_id(peer_state& p, std::uint32_t id, std::string_view ref, clock::time_point now);
  void send_miss(peer_state& p, std::uint32_t id, const content_hash& hash, miss_reason reason);
  // Routing (handlers/connect.cpp, handlers/miss_token.cpp, tracker_routing.cpp).
  void on_connect(peer_state& p, const connect_msg& m, clock::time_point now);
  void on_unlink(peer_state& p, const unlink_msg& m);
  void on_miss_token(peer_state& p, const miss_token_msg& m, clock::time_point now);
  // After a welcome: ring mode splices the peer in and sends the orders.
  void routing_join(peer_state& p);
  // Before a peer goes (or changes id): the ring is repaired, its routing pairings undone.
  void routing_leave(peer_state& p);
  void send_ring_orders(const routing::ring::change& c);
  // Records a routing pairing (kind bits on each side) and orders both peers to connect.
  void order_link(peer_state& offerer, peer_state& answerer, std::uint8_t offerer_kind,
                  std::uint8_t answerer_kind, std::string_view reason);
  // Removes `kinds` from a's pairing with b and b's with a (a pairing with no kind left goes).
  void unpair(peer_state& a, const peer_id& b, std::uint8_t kinds);
  std::size_t routing_links(const peer_state& p, std::uint8_t kinds) const;
  std::optional<peer_id> chord_bootstrap(const peer_id& self);
  peer_id draw_id() const;
  peer_state* online(const peer_id& id) const;  // null when not connected here
  // Reports and challenges: tracker_checks.cpp.
  void on_report(peer_state& p, const report_msg& m, clock::time_point now);
  void on_usage(peer_state& p, const usage_msg& m, clock::time_point now);
  void count_miss(miss_reason reason);
  void on_proof(peer_state& p, const proof_msg& m, clock::time_point now);
  // Challenges one of the hashes just announced, for a sample of announces (every one for a
  // suspect address).
  void sample_challenge(peer_state& p, std::span<const content_hash> added, clock::time_point now);
  // Sends a possession challenge on h, within the budget; false when none was sent.
  bool challenge(peer_state& p, const content_hash& h, challenges::reason why,
                 clock::time_point now);
  void expire_challenges(clock::time_point now);
  // A challenge that was not passed: the holding goes, and a failure is evidence.
  void challenge_failed(const challenges::open_challenge& c, challenges::failure why,
                        clock::time_point now);

  void send_error(peer_state& p, error_code code, std::string_view message, std::string_view ref,
                  std::span<const content_hash> hashes = {}, std::uint32_t id = 0);
  void send_welcome(peer_state& p, clock::time_point now);
  // This peer's ICE members with fresh credentials; schedules their renewal.
  std::string issue_ice(peer_state& p, clock::time_point now);
  void renew_ice(clock::time_point now);
  bool skipped_holder(const peer_state& wanter, const peer_state& holder,
                      clock::time_point now) const;
  swarm::fetch_bounds fetch_bounds() const;
  void pair(peer_state& a, peer_state& b);
  // Adds `kind` to a's pairing with b (a new pairing, evicting the oldest want-only one at the
  // cap); `process` is b's when b is another process's peer.
  void add_pairing(peer_state& a, const peer_id& b, std::uint8_t kind, const peer_id& process = {});
  // Paired for any reason (signals relay), or for one of `kinds`.
  bool is_paired(const peer_state& a, const peer_id& b, std::uint8_t kinds = 0xff) const;
  // A pairing's outcome (done, or the want expired): the holder's record, the wanter's exclusions.
  void record_outcome(peer_state& wanter, peer_state& holder, const content_hash& h, bool ok,
                      clock::time_point now, done_reason why = done_reason::none);
  // Its two halves, for a pairing across processes (each process keeps its own peer's half).
  void holder_outcome(peer_state& holder, const peer_id& wanter, const content_hash& h, bool ok,
                      clock::time_point now);
  void wanter_outcome(const peer_id& wanter, const peer_id& holder, bool ok, clock::time_point now,
                      done_reason why);

  // The want path (handlers/want.cpp): local candidates into candidates_/candidate_states_;
  // the decision once every candidate is in (here, or after the cluster answered).
  struct gathered {
    bool may_discover = true;
    bool held_by_strangers = false;
  };
  // The local holders of h (or only `only`, when the crowd named the holder) as candidates.
  gathered gather_local(peer_state& p, const content_hash& h, const peer_id* only,
                        clock::time_point now);
  void decide(peer_state& p, const want_msg& m, const swarm::choice& pick, bool held_by_strangers,
              clock::time_point asked, clock::time_point now);
  void continue_want(const peer_id& wanter, const want_msg& m,
                     std::span<const swarm::remote_holder> found, clock::time_point asked);
  void match_remote(peer_state& p, const want_msg& m, const swarm::candidate& c,
                    const peer_id& process, clock::time_point now);
  // Orders from other processes (handlers/orders.cpp).
  void order_push(const order& o, clock::time_point now);
  void order_refuse(const order& o);
  void order_cancel(const order& o);
  void order_done(const order& o, clock::time_point now);
  void order_signal(const order& o);
  void order_gone(const order& o);
  bool send_order(const peer_id& process, const order& o);
  // A peer of another process that this one kept a record for (a transfer's other side): the
  // record goes once no transfer needs it.
  void release_remote(const peer_id& id);
  // A local holder's policy inputs changed: the cluster re-publishes them (nothing alone).
  void note_holder(const peer_id& id) {
    if (remote_) remote_->holder_changed(id);
  }
  void remove_holding(peer_state& p, const content_hash& h);

  const limits& lim_;
  const ice_config& ice_;
  swarm::ledger& ledger_;
  swarm::served_record& served_;
  const token_signer& tokens_;
  known_hash_fn known_hash_;
  wall_fn wall_;
  proof_fn proof_;
  std::unordered_map<peer_id, std::unique_ptr<peer_state>> peers_;
  std::unordered_map<std::string, std::uint32_t> per_address_;
  std::size_t peak_ = 0;         // see take_peak()  // online peers per client address
  swarm::penalties& penalties_;  // the ledger's
  challenges challenges_;
  std::minstd_rand sample_rng_{std::random_device{}()};
  std::uint64_t tie_seed_ = std::random_device{}();  // ties among equal holders: random
  std::vector<peer_id> sample_;  // reused scratch for holder sampling and the policy's input
  std::vector<swarm::candidate> candidates_;
  std::vector<peer_state*> candidate_states_;  // null for a holder of another process
  std::vector<peer_id> remote_processes_;      // their processes, in order, after the local ones
  swarm::remote_crowd* remote_ = nullptr;      // null: this process alone
  routing::ring ring_;                         // ring mode: the online peers' circle
  std::unordered_set<std::uint32_t> chord_positions_;  // chord mode: the online peers' positions
  ice_renewals renewals_;                              // empty unless TURN credentials are issued
  std::uint64_t ice_serial_ = 0;
  tracker_counters counters_;
  check_counters checks_;
};

}  // namespace circlecdn::signal
