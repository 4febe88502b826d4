// libFuzzer target for the signed tokens a stranger hands back (hello.resume, X-Circle-Miss): no
// input may crash the checks, and no input but a token this signer minted may pass them.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/token.hpp"

using namespace circlecdn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const token_signer signer("fuzz secret");
  static const auto id = peer_id::random();
  static const auto hash = content_hash::of(std::string_view("fuzz"));
  static const auto now = token_signer::clock::now();
  static const auto resume = signer.resume_token(id, now + std::chrono::hours(1));
  static const auto miss = signer.miss_token(id, hash, now + std::chrono::hours(1));
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // A forged token (anything but the two minted ones) must fail: the MAC is 128 bits.
  if (auto who = signer.check_resume(text, now); who && (text != resume || *who != id))
    std::abort();
  if (auto claim = signer.check_miss(text, now); claim && (text != miss || !claim->names(hash)))
    std::abort();
  return 0;
}
