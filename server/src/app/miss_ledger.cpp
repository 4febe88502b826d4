#include "app/miss_ledger.hpp"

#include <algorithm>

namespace circlecdn::app {

miss_ledger::verdict miss_ledger::count(const token_signer& signer, std::string_view token,
                                        const manifest::file_entry* file, clock::time_point now) {
  const auto claim = signer.check_miss(token, now);
  if (!claim || !file) return verdict::invalid;
  const bool bound = claim->names(file->sha256) ||
                     std::any_of(file->pieces.begin(), file->pieces.end(),
                                 [&](const content_hash& piece) { return claim->names(piece); });
  if (!bound) return verdict::invalid;
  // Tokens are counted in time order and live equally long, so the expired ones are at the front
  // (only a restart with a changed token life breaks that order, and then briefly).
  while (!by_age_.empty() && (by_age_.front().expires < now || by_age_.size() >= max_spent_)) {
    spent_.erase(by_age_.front().mac);
    by_age_.pop_front();
  }
  if (!spent_.insert(claim->mac).second) return verdict::reused;
  by_age_.push_back({claim->expires, claim->mac});
  return verdict::valid;
}

}  // namespace circlecdn::app
