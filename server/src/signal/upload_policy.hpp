#pragma once
// What the operator tells every visitor's library about its uploads (`welcome.uploads`): whether
// Global Privacy Control counts as an opt-out of uploading, a byte budget per page session, and
// whether a hidden tab keeps uploading. The library enforces these on its own side (it stops
// announcing what it holds); the server only carries them (docs/protocol.md, docs/security.md).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace circlecdn::signal {

struct upload_policy {
  // A visitor whose browser sends GPC (`navigator.globalPrivacyControl`) uploads nothing, unless
  // the operator decides otherwise (`--gpc ignore`, e.g. with the visitor's consent collected).
  bool honor_gpc = true;
  // Bytes one page session uploads at most; then it stops offering its content. 256 MiB is ~19
  // times the demo gallery: a visitor on a long page serves a crowd, not a whole flash crowd.
  std::uint64_t budget_bytes = 256ull << 20;
  // A tab the visitor does not look at stops uploading (it keeps what it holds for later).
  bool pause_hidden = true;
};

// The `"uploads":{...}` member of `welcome`, without braces around the whole.
std::string upload_policy_member(const upload_policy& p);

}  // namespace circlecdn::signal
