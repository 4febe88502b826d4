#pragma once
// Orders between the processes of a cluster, sent through Redis pub/sub on the receiving
// process's channel (one channel per process, never per peer): what one process tells another
// about a pairing across them. One text line, space-separated fields, the relayed `data` last and
// as its sender wrote it (docs/architecture.md, "The relay across processes"). Processes trust
// each other; a malformed order is dropped and counted, never half-applied.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"

namespace circlecdn::signal {

enum class order_kind : std::uint8_t {
  push,    // from the wanter's process: `to` (a holder here) pushes want `id` to `from`
  refuse,  // from the holder's process: it cannot push (`word`: peer_gone or busy)
  cancel,  // a transfer across processes ended on the sender's side (`word`: the receiver's
           // role in it, `word2`: why); `from` is the other side
  done,    // from the wanter's process: `from` finished want `id` (flag: ok; `word`: the reason)
  signal,  // `from` relays `data` to `to`, which must be paired with it here
  gone,    // `from`, whom `to` signalled, is not connected to the sender's process
};

struct order {
  order_kind kind = order_kind::signal;
  peer_id process;  // the sender's process: answers go there
  peer_id from, to;
  std::uint32_t id = 0;
  content_hash hash{};
  bool flag = false;       // push: connect; done: ok
  std::string_view word;   // see order_kind (a token: no spaces)
  std::string_view word2;  // see order_kind
  std::string_view data;   // signal: the validated `data` JSON
};

// An order to send (the tracker fills in `process`, its own).
inline order order_of(order_kind kind, const peer_id& from, const peer_id& to, std::uint32_t id = 0,
                      const content_hash& hash = {}, bool flag = false, std::string_view word = {},
                      std::string_view word2 = {}, std::string_view data = {}) {
  order o;
  o.kind = kind;
  o.from = from;
  o.to = to;
  o.id = id;
  o.hash = hash;
  o.flag = flag;
  o.word = word;
  o.word2 = word2;
  o.data = data;
  return o;
}

std::string encode_order(const order& o);
// A view into `text` (word, word2 and data point into it); nullopt when malformed.
std::optional<order> parse_order(std::string_view text);

}  // namespace circlecdn::signal
