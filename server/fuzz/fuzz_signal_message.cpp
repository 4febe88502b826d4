// libFuzzer target for the inbound signaling parser: no input may crash it, and whatever it
// accepts must satisfy the limits it promises to enforce.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <boost/json.hpp>

#include "signal/message.hpp"

using namespace circlecdn::signal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const limits lim;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = parse_inbound(text, lim);
  if (auto* msg = std::get_if<inbound>(&result)) {
    if (size > lim.message_bytes) std::abort();  // over-size input must never be accepted
    std::visit(
        [&](const auto& m) {
          using T = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<T, announce_msg>) {
            if (m.have.size() > lim.hashes_per_message) std::abort();
          } else if constexpr (std::is_same_v<T, drop_msg>) {
            if (m.hashes.size() > lim.hashes_per_message) std::abort();
          } else if constexpr (std::is_same_v<T, want_msg> || std::is_same_v<T, done_msg> ||
                               std::is_same_v<T, proof_msg>) {
            if (m.id == 0 || m.id > 0x7fffffffu) std::abort();
          } else if constexpr (std::is_same_v<T, signal_msg>) {
            if (m.data.size() > lim.signal_data_bytes || m.data.front() != '{') std::abort();
            // The relayed bytes are the sender's own: they must be one JSON object.
            boost::system::error_code ec;
            auto data = boost::json::parse(m.data, ec);
            if (ec || !data.is_object()) std::abort();
          } else if constexpr (std::is_same_v<T, hello_msg>) {
            if (m.max_uploads && *m.max_uploads > 16) std::abort();
          }
        },
        *msg);
  } else {
    auto& err = std::get<parse_error>(result);
    if (err.message.empty() || err.ref.size() > 32) std::abort();
  }
  return 0;
}
