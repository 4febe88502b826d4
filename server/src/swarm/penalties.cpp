#include "swarm/penalties.hpp"

#include <algorithm>
#include <cmath>

namespace circlecdn::swarm {

namespace {
// At the bound: drops expired entries, then arbitrary ones down to 7/8 of the bound, so the scan
// is paid once per max/8 insertions, not on each.
template <class Map, class Expired>
void make_room(Map& m, std::size_t max, Expired expired) {
  if (m.size() < max) return;
  std::erase_if(m, expired);
  while (m.size() > max - max / 8) m.erase(m.begin());
}
}  // namespace

double penalties::worth(const holder& h) {
  // Each reporter counts once, at the most it was worth; each failed hash counts 1.
  double total = 0;
  for (std::size_t i = 0; i < h.items.size(); ++i) {
    const auto& it = h.items[i];
    if (it.reporter.empty()) {
      total += it.worth;
      continue;
    }
    bool first = true;
    double best = it.worth;
    for (std::size_t j = 0; j < h.items.size(); ++j) {
      if (h.items[j].reporter != it.reporter) continue;
      if (j < i) first = false;
      best = std::max(best, h.items[j].worth);
    }
    if (first) total += std::min(best, 1.0);
  }
  return total;
}

bool penalties::add(const peer_id& accused, std::string_view address, item it,
                    penalty_clock::time_point now) {
  if (!holders_.contains(accused))
    make_room(holders_, penalty_rules::max_holders,
              [&](const auto& kv) { return kv.second.until <= now; });
  auto& h = holders_[accused];
  for (const auto& old : h.items)
    if (old.reporter == it.reporter && old.hash == it.hash) return false;  // the same claim again
  if (h.items.size() >= penalty_rules::evidence_per_holder) h.items.erase(h.items.begin());
  h.items.push_back(std::move(it));
  h.last_item = now;
  double w = h.worth = worth(h);
  if (w < penalty_rules::threshold) return false;
  auto points = static_cast<std::uint32_t>(std::floor(w / penalty_rules::threshold));
  if (points <= h.points) return false;  // no new whole point: nothing distinct was added
  h.points = points;
  auto doublings = std::min(h.points - 1, penalty_rules::max_doublings);
  h.until = now + base_ * (1u << doublings);
  h.address = std::string(address);
  strike(address, h.until, now);
  return true;
}

bool penalties::report(const peer_id& accused, std::string_view accused_address,
                       std::string_view reporter, const content_hash& hash,
                       penalty_clock::time_point now) {
  double w = weight(reporter);
  if (w < penalty_rules::min_weight) w = 0;
  return add(accused, accused_address, {std::string(reporter), hash, w}, now);
}

bool penalties::failed_challenge(const peer_id& accused, std::string_view accused_address,
                                 const content_hash& hash, penalty_clock::time_point now) {
  if (auto it = holders_.find(accused); it != holders_.end()) {
    for (auto& i : it->second.items)
      if (!i.reporter.empty() && i.hash == hash) weights_.erase(i.reporter);  // confirmed
    for (auto& i : it->second.items)
      if (i.reporter.empty() && i.hash == hash) return false;  // this hash failed before
  }
  return add(accused, accused_address, {std::string(), hash, 1.0}, now);
}

penalties::contradiction penalties::passed_challenge(const peer_id& accused,
                                                     const content_hash& hash,
                                                     penalty_clock::time_point now) {
  contradiction out;
  auto it = holders_.find(accused);
  if (it == holders_.end()) return out;
  auto& h = it->second;
  auto contradicted_before = [&h](const std::string& reporter) {
    for (const auto& i : h.items)
      if (i.reporter == reporter && i.hash == content_hash{}) return true;
    return false;
  };
  for (auto& i : h.items) {
    if (i.reporter.empty() || i.hash != hash) continue;
    // A receiver reports a wire liar once per item it got from it: one claim about this holder,
    // so its weight halves once per holder, not once per hash.
    if (!contradicted_before(i.reporter)) {
      if (!weights_.contains(i.reporter))
        make_room(weights_, penalty_rules::max_addresses, [](const auto&) { return false; });
      auto [w, fresh] = weights_.try_emplace(i.reporter, 1.0);
      w->second *= penalty_rules::contradicted_factor;
    }
    i.worth *= penalty_rules::contradicted_factor;
    i.hash = content_hash{};  // contradicted once: a second challenge does not halve it again
    ++out.reporters;
  }
  if (out.reporters == 0) return out;
  h.worth = worth(h);
  auto points = static_cast<std::uint32_t>(std::floor(h.worth / penalty_rules::threshold));
  if (points < h.points) h.points = points;  // what is left must earn its next point again
  if (h.until > now && points == 0) {
    lift(h, now);
    out.lifted = true;
  }
  return out;
}

void penalties::lift(holder& h, penalty_clock::time_point now) {
  h.until = now;
  // The address's strike lasts as long as the longest penalty still running from there (another
  // peer's, say); lifted, this one no longer counts. Rare enough for a scan.
  auto s = strikes_.find(h.address);
  if (s == strikes_.end()) return;
  penalty_clock::time_point longest{};
  for (const auto& [id, other] : holders_)
    if (&other != &h && other.address == h.address && other.until > now)
      longest = std::max(longest, other.until);
  if (longest > now)
    s->second = longest;
  else
    strikes_.erase(s);
}

void penalties::strike(std::string_view address, penalty_clock::time_point until,
                       penalty_clock::time_point now) {
  if (address.empty()) return;
  std::string key(address);
  if (!strikes_.contains(key))
    make_room(strikes_, penalty_rules::max_addresses,
              [&](const auto& kv) { return kv.second <= now; });
  auto& t = strikes_[key];
  t = std::max(t, until);
}

bool penalties::penalised(const peer_id& id, penalty_clock::time_point now) const {
  auto it = holders_.find(id);
  return it != holders_.end() && it->second.until > now;
}

std::size_t penalties::penalised_count(penalty_clock::time_point now) const {
  return static_cast<std::size_t>(std::count_if(holders_.begin(), holders_.end(),
                                                [&](auto& kv) { return kv.second.until > now; }));
}

bool penalties::suspect(std::string_view address, penalty_clock::time_point now) const {
  auto it = strikes_.find(std::string(address));
  return it != strikes_.end() && it->second > now;
}

double penalties::weight(std::string_view reporter) const {
  auto it = weights_.find(std::string(reporter));
  return it == weights_.end() ? 1.0 : it->second;
}

double penalties::evidence(const peer_id& accused) const {
  auto it = holders_.find(accused);
  return it == holders_.end() ? 0 : it->second.worth;
}

penalties::standing penalties::standing_of(const peer_id& id, penalty_clock::time_point now) const {
  auto it = holders_.find(id);
  if (it == holders_.end()) return {};
  const auto& h = it->second;
  return {h.until > now, h.until <= now && h.worth > 0 && now - h.last_item < base_};
}

}  // namespace circlecdn::swarm
