// libFuzzer target for the WebSocket codec: any byte stream, cut into reads at fuzzer-chosen
// points, goes through the frame parser and the message assembler as the session drives them. No
// input may crash them, and what they hand out must keep their promises: frames within the cap,
// control frames short and final, text valid UTF-8, messages within the cap.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ws/frame.hpp"
#include "ws/message_assembler.hpp"
#include "ws/utf8.hpp"

using namespace circlecdn::ws;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t cap = 4096;
  if (size == 0) return 0;
  std::size_t read_size = 1 + data[0] % 64;  // how many bytes each simulated read delivers
  std::string stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  message_assembler assembler(cap);
  std::string pending;
  for (std::size_t at = 0; at < stream.size(); at += read_size) {
    pending += stream.substr(at, read_size);
    std::size_t used = 0;
    for (;;) {
      auto r =
          parse_client_frame(std::span<char>(pending.data() + used, pending.size() - used), cap);
      if (r.status == parse_result::incomplete) break;
      if (r.status == parse_result::error) {
        if (r.code != close_code::protocol_error && r.code != close_code::too_big) std::abort();
        return 0;  // the session closes here
      }
      if (r.consumed > pending.size() - used || r.f.payload.size() > cap) std::abort();
      bool control = static_cast<std::uint8_t>(r.f.op) >= 8;
      if (control && (r.f.payload.size() > 125 || !r.f.fin)) std::abort();
      used += r.consumed;
      auto e = assembler.on_frame(r.f);
      if (e.kind == event::text && !valid_utf8(e.payload)) std::abort();
      if ((e.kind == event::text || e.kind == event::binary) && e.payload.size() > cap)
        std::abort();
      assembler.release();
      if (e.kind == event::fail || e.kind == event::close) return 0;
    }
    pending.erase(0, used);
  }
  return 0;
}
