#include "messages.hpp"

#include <boost/json.hpp>

namespace loadgen {

std::string make_sdp(int bytes, std::string_view kind) {
  std::string s =
      "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "a=group:BUNDLE 0\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n"
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:Qx7b\r\na=ice-pwd:2xbXM0YzUfqFcC4MhNsvJ3Ps\r\na=ice-options:trickle\r\n"
      "a=fingerprint:sha-256 7B:3E:55:A1:0C:91:2F:6D:88:E4:19:7A:B2:C5:03:DE:44:6F:91:0A:BB:"
      "72:1C:E8:35:9D:60:F2:47:AE:13:C9\r\na=setup:";
  s += kind == "offer" ? "actpass" : "active";
  s += "\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";
  while (static_cast<int>(s.size()) + 12 < bytes) s += "a=x-pad:0\r\n";
  return boost::json::serialize(boost::json::string(s));
}

std::string fixed20(std::string_view prefix, std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string s(prefix);
  s.append(20 - prefix.size() - digits.size(), '0');
  s += digits;
  return s;
}

}  // namespace loadgen
