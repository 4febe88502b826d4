#include "swarm/memory_ledger.hpp"

#include <algorithm>

namespace circlecdn::swarm {

const memory_ledger::record* memory_ledger::find(const peer_id& p) const {
  auto it = records_.find(p);
  return it == records_.end() ? nullptr : &it->second;
}

void memory_ledger::added(const content_hash& h, const peer_id& p) {
  dir_.add(h, p);
  if (observer_) observer_->holding_added(h, p, dir_.holders(h) == 1);
}

void memory_ledger::removed(const content_hash& h, const peer_id& p) {
  dir_.remove(h, p);
  if (observer_) observer_->holding_removed(h, p, dir_.holders(h) == 0);
}

bool memory_ledger::add_holding(const peer_id& p, const content_hash& h) {
  if (!at(p).holdings.insert(h).second) return false;
  added(h, p);
  return true;
}

bool memory_ledger::remove_holding(const peer_id& p, const content_hash& h) {
  auto it = records_.find(p);
  if (it == records_.end() || !it->second.holdings.erase(h)) return false;
  removed(h, p);
  return true;
}

void memory_ledger::remove_holdings(const peer_id& p) {
  auto it = records_.find(p);
  if (it == records_.end()) return;
  for (const auto& h : it->second.holdings) removed(h, p);
  it->second.holdings.clear();
}

bool memory_ledger::holds(const peer_id& p, const content_hash& h) const {
  auto* r = find(p);
  return r && r->holdings.contains(h);
}

std::size_t memory_ledger::holdings_of(const peer_id& p) const {
  auto* r = find(p);
  return r ? r->holdings.size() : 0;
}

void memory_ledger::open_transfer(const transfer& t) {
  at(t.wanter).wants.push_back(t);
  at(t.holder).uploads.push_back({t.wanter, t.id});
  ++transfers_;
}

const transfer* memory_ledger::find_transfer(const peer_id& wanter, std::uint32_t id) const {
  auto* r = find(wanter);
  if (!r) return nullptr;
  auto it = std::find_if(r->wants.begin(), r->wants.end(), [&](auto& t) { return t.id == id; });
  return it == r->wants.end() ? nullptr : &*it;
}

void memory_ledger::drop_upload(const peer_id& holder, const peer_id& wanter, std::uint32_t id) {
  if (auto it = records_.find(holder); it != records_.end())
    std::erase_if(it->second.uploads,
                  [&](const upload_ref& u) { return u.wanter == wanter && u.id == id; });
}

std::optional<transfer> memory_ledger::close_transfer(const peer_id& wanter, std::uint32_t id) {
  auto r = records_.find(wanter);
  if (r == records_.end()) return std::nullopt;
  auto& ws = r->second.wants;
  auto it = std::find_if(ws.begin(), ws.end(), [&](auto& t) { return t.id == id; });
  if (it == ws.end()) return std::nullopt;
  auto t = *it;
  ws.erase(it);
  drop_upload(t.holder, wanter, id);
  --transfers_;
  return t;
}

std::vector<transfer> memory_ledger::close_transfers_of(const peer_id& p) {
  std::vector<transfer> out;
  auto r = records_.find(p);
  if (r == records_.end()) return out;
  out = std::move(r->second.wants);
  r->second.wants.clear();
  for (const auto& t : out) drop_upload(t.holder, p, t.id);
  auto uploads = std::move(r->second.uploads);
  r->second.uploads.clear();
  for (const auto& u : uploads) {
    auto w = records_.find(u.wanter);
    if (w == records_.end()) continue;
    auto& ws = w->second.wants;
    auto it = std::find_if(ws.begin(), ws.end(), [&](auto& t) { return t.id == u.id; });
    if (it == ws.end()) continue;
    out.push_back(*it);
    ws.erase(it);
  }
  transfers_ -= out.size();
  return out;
}

std::vector<transfer> memory_ledger::take_expired(ledger_clock::time_point now) {
  std::vector<transfer> out;
  if (transfers_ == 0) return out;
  for (auto& [id, r] : records_) {
    for (std::size_t i = 0; i < r.wants.size();) {
      if (r.wants[i].deadline > now) {
        ++i;
        continue;
      }
      out.push_back(r.wants[i]);
      r.wants.erase(r.wants.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  for (const auto& t : out) drop_upload(t.holder, t.wanter, t.id);
  transfers_ -= out.size();
  return out;
}

std::size_t memory_ledger::wants_of(const peer_id& wanter) const {
  auto* r = find(wanter);
  return r ? r->wants.size() : 0;
}

std::uint32_t memory_ledger::uploads_of(const peer_id& holder) const {
  auto* r = find(holder);
  return r ? static_cast<std::uint32_t>(r->uploads.size()) : 0;
}

std::optional<peer_id> memory_ledger::fetcher(const content_hash& h,
                                              ledger_clock::time_point now) const {
  auto it = incoming_.find(h);
  if (it == incoming_.end() || it->second.until <= now) return std::nullopt;
  return it->second.fetcher;
}

ledger::fetch_claims memory_ledger::fetch_claims_of(const peer_id& p, const content_hash& h,
                                                    ledger_clock::time_point now) const {
  fetch_claims out;
  auto* r = find(p);
  if (!r) return out;
  out.claimed_before = std::find(r->fetching.begin(), r->fetching.end(), h) != r->fetching.end();
  for (const auto& claimed : r->fetching)
    if (auto it = incoming_.find(claimed);
        it != incoming_.end() && it->second.fetcher == p && it->second.until > now)
      ++out.live;
  return out;
}

void memory_ledger::claim_fetch(const peer_id& p, const content_hash& h,
                                ledger_clock::time_point now, ledger_clock::time_point until,
                                const fetch_bounds& b) {
  if (incoming_.size() >= b.hashes_max && !incoming_.contains(h)) {
    std::erase_if(incoming_, [&](auto& kv) { return kv.second.until <= now; });
    if (incoming_.size() >= b.hashes_max) incoming_.erase(incoming_.begin());
  }
  incoming_[h] = {p, until};
  auto& fetching = at(p).fetching;
  if (fetching.size() >= b.remembered_per_peer) fetching.erase(fetching.begin());
  fetching.push_back(h);
}

void memory_ledger::exclude(const peer_id& wanter, const peer_id& holder,
                            ledger_clock::time_point now, ledger_clock::duration life) {
  at(wanter).excluded.add(holder, now, life);
}

bool memory_ledger::excluded(const peer_id& wanter, const peer_id& holder,
                             ledger_clock::time_point now) const {
  auto* r = find(wanter);
  return r && r->excluded.contains(holder, now);
}

bool memory_ledger::record_outcome(const peer_id& holder, bool ok, const peer_id& wanter,
                                   ledger_clock::time_point now) {
  auto& r = at(holder);
  if (!r.outcomes) r.outcomes = std::make_unique<holder_outcomes>();
  return r.outcomes->record(ok, wanter, now);
}

bool memory_ledger::unreachable(const peer_id& holder, ledger_clock::time_point now) const {
  auto* r = find(holder);
  return r && r->outcomes && r->outcomes->unreachable(now);
}

void memory_ledger::rename(const peer_id& from, const peer_id& to) {
  auto node = records_.extract(from);
  if (node.empty()) return;
  node.key() = to;
  records_.insert(std::move(node));
}

void memory_ledger::forget(const peer_id& p) {
  auto it = records_.find(p);
  if (it == records_.end()) return;
  for (const auto& h : it->second.holdings) removed(h, p);
  // Nobody should wait for a fetch that will never be announced.
  for (const auto& h : it->second.fetching)
    if (auto in = incoming_.find(h); in != incoming_.end() && in->second.fetcher == p)
      incoming_.erase(in);
  records_.erase(it);
}

}  // namespace circlecdn::swarm
