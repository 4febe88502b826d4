// libFuzzer target for the operator's STUN/TURN URLs (--stun, --turn, the TOML file): no input may
// crash the check, and what it accepts has the scheme it promises, with no control characters
// (the URL is copied into every welcome's JSON and into browsers' RTCPeerConnection config).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "signal/ice_config.hpp"

using namespace circlecdn::signal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  bool turn = data[0] & 1;
  std::string_view url(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (ice_url_problem(url, turn)) return 0;
  bool ok_scheme = turn ? (url.starts_with("turn:") || url.starts_with("turns:"))
                        : (url.starts_with("stun:") || url.starts_with("stuns:"));
  if (!ok_scheme) std::abort();
  for (unsigned char c : url)
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') std::abort();
  return 0;
}
