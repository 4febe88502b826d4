#include "options.hpp"

#include <cstdlib>
#include <iostream>

namespace loadgen {

namespace {
[[noreturn]] void usage(const char* why) {
  std::cerr
      << "bench_signal_loadgen: " << why << "\n"
      << "usage: bench_signal_loadgen --proto circlecdn|wt|peerjs --port PORT[,PORT...]\n"
         "  [--host H] (peer i connects to the i-th port, round robin)\n"
         "  [--mode idle|saturate|rate] [--peers N] [--rate R] [--duration S] [--warmup S]\n"
         "  [--source-addresses N]\n"
         "  [--sdp-bytes B] [--inflight K] [--server-pid PID[,PID...]] [--connect-parallel C]\n"
         "  [--settle S] [--stats] [--want-each] [--tls] [--verbose]\n";
  std::exit(2);
}
// "a,b,c" -> {a, b, c}
std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (auto comma = list.find(',');; comma = list.find(',', from)) {
    out.push_back(list.substr(from, comma - from));
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return out;
}
}  // namespace

options parse_args(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--proto") {
      auto v = next();
      if (v == "circlecdn")
        o.protocol = proto::circlecdn;
      else if (v == "wt")
        o.protocol = proto::wt;
      else if (v == "peerjs")
        o.protocol = proto::peerjs;
      else
        usage("unknown --proto");
    } else if (a == "--host")
      o.host = next();
    else if (a == "--port" || a == "--ports")
      o.ports = split(next());
    else if (a == "--mode")
      o.mode = next();
    else if (a == "--peers")
      o.peers = std::stoi(next());
    else if (a == "--rate")
      o.rate = std::stod(next());
    else if (a == "--duration")
      o.duration = std::stod(next());
    else if (a == "--warmup")
      o.warmup = std::stod(next());
    else if (a == "--sdp-bytes")
      o.sdp_bytes = std::stoi(next());
    else if (a == "--inflight")
      o.inflight = std::stoi(next());
    else if (a == "--server-pid")
      for (const auto& pid : split(next())) o.server_pids.push_back(std::stoi(pid));
    else if (a == "--connect-parallel")
      o.connect_parallel = std::stoi(next());
    else if (a == "--source-addresses")
      o.source_addresses = std::stoi(next());
    else if (a == "--settle")
      o.settle = std::stod(next());
    else if (a == "--stats")
      o.stats = true;
    else if (a == "--verbose")
      o.verbose = true;
    else if (a == "--tls")
      o.tls = true;
    else if (a == "--want-each")
      o.want_each = true;
    else
      usage(("unknown argument " + a).c_str());
  }
  if (o.ports.empty() || o.ports.front().empty()) usage("--port is required");
  o.port = o.ports.front();
  if (!o.server_pids.empty()) o.server_pid = o.server_pids.front();
  if (o.source_addresses < 1 || o.source_addresses > 250) usage("--source-addresses is 1..250");
  if (o.mode != "idle" && o.mode != "saturate" && o.mode != "rate") usage("unknown --mode");
  if (o.peers < 2 || (o.mode != "idle" && o.peers % 2)) usage("--peers must be even and >= 2");
  if (o.inflight < 1 || o.rate <= 0 || o.duration <= 0 || o.sdp_bytes < 100) usage("bad value");
  return o;
}

}  // namespace loadgen
