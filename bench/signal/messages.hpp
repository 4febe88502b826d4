#pragma once
// Message text the peers send: browser-like SDPs and WebTorrent's 20-character ids.
#include <cstdint>
#include <string>
#include <string_view>

namespace loadgen {

// A browser-like SDP of about `bytes` characters (a data-channel offer), JSON-escaped once.
std::string make_sdp(int bytes, std::string_view kind);
std::string fixed20(std::string_view prefix, std::uint64_t n);  // 20 characters, for wt ids

}  // namespace loadgen
