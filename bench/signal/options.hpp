#pragma once
// The load generator's command line: which server protocol, which mode, how many peers.
#include <string>
#include <vector>

namespace loadgen {

enum class proto { circlecdn, wt, peerjs };

struct options {
  proto protocol = proto::circlecdn;
  std::string host = "127.0.0.1";
  std::string port;  // the first of `ports`: HTTP requests (stats, manifest) go here
  std::vector<std::string>
      ports;  // peer i connects to ports[i % n] (--port P or --ports P1,P2,...)
  std::string mode = "saturate";
  int peers = 1000;
  double rate = 2000;
  double duration = 5;
  double warmup = 1;
  int sdp_bytes = 600;
  int inflight = 1;
  int server_pid = 0;            // the first of `server_pids`: its RSS is the idle figure
  std::vector<int> server_pids;  // CPU per round trip adds them all up (--server-pid A[,B,...])
  int connect_parallel = 64;
  // Peers bind to 127.0.0.1 ... 127.0.0.N in turn: one source address has ~28,000 ephemeral ports
  // towards one server port, so 100,000 peers need at least 4.
  int source_addresses = 1;
  double settle = 1;
  bool stats = false;
  bool verbose = false;
  bool tls = false;  // wss:// and https:// (any certificate: the harness makes a self-signed one)
  bool want_each =
      false;  // circlecdn: every round trip starts with want -> match (and ends with done)
};

// Parses argv; prints the usage and exits with status 2 on a bad argument.
options parse_args(int argc, char** argv);

}  // namespace loadgen
