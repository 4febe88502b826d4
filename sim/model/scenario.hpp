#pragma once
// A scenario: every tunable number of a run, read from a small key = value file. Defaults below
// are the "scale" workload; each carries its unit and where its value came from.
#include <cstdint>
#include <string>
#include <string_view>

namespace circlecdn::sim {

struct scenario {
  std::string name = "default";
  std::string strategy = "tracker";  // tracker | ring | chord
  std::uint64_t seed = 1;
  double duration_s = 3600;

  // Visitors. `peers` is the steady-state crowd: arrival rate = peers / mean session.
  double peers = 1000;
  std::string arrival = "poisson";  // poisson | flash
  double flash_at_s = 900;
  double flash_factor = 100;  // the issue: "a rate that jumps 100x"
  double flash_duration_s = 120;
  double warm_start = 1;  // 1: start with `peers` visitors already mid-session (cold caches)
  // Sessions: Pareto(min, shape), capped. shape 1.5 / min 200 s gives a 600 s mean with the heavy
  // tail measured in P2P churn studies (Stutzbach & Rejaie 2006 report heavy-tailed sessions).
  double session_min_s = 200;
  double session_shape = 1.5;
  double session_max_s = 86400;
  // Mean gap between page views of one visitor: with 600 s sessions, 3 views a visit (news
  // sites report 2 to 3 pages per session).
  double think_mean_s = 300;
  double requests_per_view = 1;

  // The site.
  double catalogue = 100000;
  double zipf_exponent = 0.9;  // web object popularity, Breslau et al. 1999: 0.64 .. 0.83+
  double size_median_bytes = 65536;
  double size_sigma = 1.2;  // lognormal sigma of resource sizes
  double size_min_bytes = 512;
  double size_max_bytes = 16777216;

  // Network. Peers sit in a plane (propagation delay = distance) plus an access delay each.
  double world_diameter_ms = 150;
  double access_min_ms = 2;
  double access_max_ms = 30;
  double server_access_ms = 1;
  double upload_median_mbps = 8;  // residential uplinks: single-digit to tens of Mbit/s
  double upload_sigma = 0.7;
  double download_median_mbps = 50;
  double download_sigma = 0.7;

  // Churn and failure detection.
  double abrupt_fraction = 0.2;     // departures without a close (crash, network loss)
  double disconnect_detect_s = 15;  // ICE consent / WebSocket ping timeout for abrupt departures
  double hop_timeout_ms = 500;      // a forwarded message not acknowledged in this time is lost
  double transfer_stall_ms = 2000;  // a push that stops this long is abandoned for the origin

  // Lookups and transfers.
  // Ring and Chord: after this the wanter asks the origin. 2 s lets a Chord lookup of 10+ hops
  // (whose reply retraces the path) finish at 10^6 peers.
  double lookup_deadline_ms = 2000;
  double max_uploads = 4;      // docs/protocol.md: uploads in flight per holder
  double tracker_sample = 32;  // holders the tracker considers per want (signal::limits)
  // A wanter told `fetching` (another peer is getting the resource from the origin) asks again
  // after this long; the library asks again when one of its own transfers ends or at its
  // deadline (client/src/fetch/item-loader.ts), a page loads several at once: an interval here.
  double fetching_retry_ms = 500;
  // The ring's hop deadline (TTL); the peer where it runs out tells the wanter through the
  // server. 0: no hop limit, only the time deadline.
  double ring_max_hops = 16;
  // fix_fingers refreshes one finger per call, round-robin (Stoica et al. 2001): each finger is
  // refreshed once per this period (a call every 5 s for 24 fingers).
  double chord_fix_period_s = 120;
  double chord_stabilise_period_s = 5;
  double chord_successors = 4;     // successor-list length
  double chord_republish_s = 600;  // provider records are re-put (and expire) on this period
  double chord_records_returned = 8;
  double chord_holder_tries = 3;
  double signal_messages_per_connect = 6;  // offer, answer, 2 ICE candidates each way
  double connect_p2p_rtts = 3;             // ICE check + DTLS (2) ; SCTP/DCEP rides along

  // Observation.
  double sample_period_s = 10;
  double probe_peers = 2000;  // peers whose routing connections are followed exactly
};

// Set one field by name; returns an error message, or an empty string on success.
std::string set_field(scenario& s, std::string_view key, std::string_view value);
// Parse "key = value" lines; '#' starts a comment. Throws std::runtime_error naming the line.
scenario parse_scenario(std::string_view text, scenario base = {});
scenario load_scenario(const std::string& path);
// Throws std::runtime_error if the values cannot make a run.
void validate(const scenario& s);
// Every field as "key = value" lines, in declaration order.
std::string describe(const scenario& s);

}  // namespace circlecdn::sim
