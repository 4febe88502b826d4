#pragma once
// What a request says about where it came from (X-Forwarded-Proto, X-Forwarded-For), believed
// only when the TCP peer is a trusted proxy (--trust-proxy). From anyone else those headers are
// ignored: a visitor cannot make its cookie Secure-less or put another address in our logs.
#include <span>
#include <string_view>

#include "core/net.hpp"
#include "net/cidr.hpp"

namespace circlecdn::net {

struct request_origin {
  bool https = false;        // the visitor's side of the connection is TLS
  asio::ip::address client;  // the visitor's address, for logs
};

// `tls`: this connection itself is TLS. The client address is the TCP peer, or, from a trusted
// peer, the right-most X-Forwarded-For entry that is not itself a trusted proxy.
request_origin origin_of(const http::fields& request, const asio::ip::address& peer, bool tls,
                         std::span<const cidr> trusted);

// The X-Forwarded-For walk on one comma-separated list (all the request's X-Forwarded-For
// fields joined in order): from the right, skip trusted addresses; the first untrusted one is
// the client. A malformed entry stops the walk at the last address believed. `peer` must be
// trusted for the list to be read at all (origin_of checks).
asio::ip::address client_from_forwarded_for(std::string_view list, const asio::ip::address& peer,
                                            std::span<const cidr> trusted);

}  // namespace circlecdn::net
