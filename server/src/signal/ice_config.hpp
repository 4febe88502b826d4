#pragma once
// What the operator sets about peer connections: the STUN and TURN servers browsers are given,
// the TURN shared secret, relay-only mode, and the budgets a peer path gets before the wanter
// gives up on it (docs/protocol.md, docs/operations.md "ICE servers and TURN").
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace circlecdn::signal {

struct ice_config {
  std::vector<std::string> stun_urls;   // stun:HOST[:PORT] or stuns:...
  std::vector<std::string> turn_urls;   // turn:HOST[:PORT][?transport=udp|tcp] or turns:...
  std::string turn_secret;              // coturn's static-auth-secret; needed with turn_urls
  std::chrono::seconds turn_ttl{3600};  // lifetime of one peer's TURN credentials
  bool relay_only = false;              // ice_transport_policy "relay": peers never see addresses
  // Budget from `match` to the DataChannel open: ICE over STUN takes one or two round trips to the
  // STUN server plus connectivity checks (well under 1 s at 100 ms RTT), TURN allocation adds two
  // more round trips; 5 s covers a slow relay path with margin, and is what simple-peer allows.
  std::chrono::milliseconds connect_timeout{5000};
  // Budget from the channel open (or `match` with connect:false) to the first chunk: one round
  // trip plus the holder reading from IndexedDB, normally < 200 ms; 3 s tolerates a busy holder.
  std::chrono::milliseconds first_byte_timeout{3000};

  // Credentials expire, so they are renewed: only with TURN and a secret.
  bool issues_credentials() const { return !turn_urls.empty() && !turn_secret.empty(); }
};

constexpr std::chrono::seconds min_turn_ttl{60};

// Checks one URL given to --stun (turn=false) or --turn (turn=true); returns what is wrong with
// it, or nullopt. The message does not name the option (the caller does).
std::optional<std::string> ice_url_problem(std::string_view url, bool turn);
// Checks the whole configuration; returns a message naming the option at fault, or nullopt.
std::optional<std::string> ice_config_problem(const ice_config& cfg);
// Reads a secret file (--turn-secret-file): its content without trailing CR/LF. Returns nullopt
// and sets `problem` when it cannot be read or the secret is empty.
std::optional<std::string> read_secret_file(const std::filesystem::path& file,
                                            std::string& problem);

}  // namespace circlecdn::signal
