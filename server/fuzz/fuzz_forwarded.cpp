// libFuzzer target for what a reverse proxy's headers say (X-Forwarded-For lists, --trust-proxy
// CIDRs): no input may crash the parsers (or trip ASan/UBSan), and an empty list leaves the TCP
// peer as the client.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "net/cidr.hpp"
#include "net/forwarded.hpp"

using namespace circlecdn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The first line is a --trust-proxy value; the rest an X-Forwarded-For list.
  auto nl = text.find('\n');
  std::string_view range_text = text.substr(0, nl);
  std::string_view list = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  std::vector<net::cidr> trusted;
  if (auto r = net::cidr::parse(range_text)) trusted.push_back(*r);
  trusted.push_back(*net::cidr::parse("10.0.0.0/8"));
  auto peer = asio::ip::make_address("10.1.2.3");
  auto client = net::client_from_forwarded_for(list, peer, trusted);
  // An address other than the peer can only come from the list.
  if (client != peer && list.empty()) std::abort();
  return 0;
}
