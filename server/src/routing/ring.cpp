#include "routing/ring.hpp"

#include <algorithm>

namespace circlecdn::routing {

namespace {
bool same_link(const ring::link& x, const ring::link& y) {
  return (x.offerer == y.offerer && x.answerer == y.answerer) ||
         (x.offerer == y.answerer && x.answerer == y.offerer);
}
bool has_link(const std::vector<ring::link>& ls, const ring::link& l) {
  return std::any_of(ls.begin(), ls.end(), [&](auto& x) { return same_link(x, l); });
}
}  // namespace

std::optional<ring::neighbours> ring::of(const peer_id& p) const {
  auto it = at_.find(p);
  if (it == at_.end()) return std::nullopt;
  neighbours n;
  if (it->second.serving != p) n.serving = it->second.serving;
  if (it->second.served != p) n.served = it->second.served;
  return n;
}

bool ring::linked(const peer_id& a, const peer_id& b) const {
  auto it = at_.find(a);
  return a != b && it != at_.end() && (it->second.serving == b || it->second.served == b);
}

std::vector<ring::link> ring::links_of(const std::vector<peer_id>& around) const {
  std::vector<link> out;
  for (const auto& p : around) {
    auto it = at_.find(p);
    if (it == at_.end() || it->second.serving == p) continue;
    link l{p, it->second.serving};
    if (!has_link(out, l)) out.push_back(l);
  }
  return out;
}

ring::change ring::diff(std::vector<peer_id> around, const std::vector<link>& before) const {
  change c;
  auto after = links_of(around);
  for (const auto& l : after)
    if (!has_link(before, l)) c.links.push_back(l);
  for (const auto& l : before)
    if (!has_link(after, l)) c.unlinked.push_back(l);
  // Every member of a link that appeared or went has new neighbours; so has a newcomer or a
  // member left alone.
  auto add = [&](const peer_id& p) {
    if (at_.contains(p) &&
        std::find(c.reordered.begin(), c.reordered.end(), p) == c.reordered.end())
      c.reordered.push_back(p);
  };
  for (const auto& p : around) {
    bool touched = std::any_of(c.links.begin(), c.links.end(),
                               [&](auto& l) { return l.offerer == p || l.answerer == p; }) ||
                   std::any_of(c.unlinked.begin(), c.unlinked.end(),
                               [&](auto& l) { return l.offerer == p || l.answerer == p; });
    if (touched || p == around.front()) add(p);
  }
  return c;
}

ring::change ring::join(const peer_id& p, std::uint64_t pick) {
  if (at_.contains(p)) return {};
  if (members_.empty()) {
    at_.emplace(p, node{p, p, 0});
    members_.push_back(p);
    return {{p}, {}, {}};
  }
  const peer_id a = members_[pick % members_.size()];
  const peer_id b = at_.at(a).serving;  // a itself when a was alone
  std::vector<peer_id> around{p, a, b};
  auto before = links_of(around);
  at_.emplace(p, node{b, a, members_.size()});
  members_.push_back(p);
  at_.at(a).serving = p;
  at_.at(b).served = p;
  return diff(std::move(around), before);
}

ring::change ring::leave(const peer_id& p) {
  auto it = at_.find(p);
  if (it == at_.end()) return {};
  const peer_id a = it->second.served, b = it->second.serving;  // a -> p -> b
  std::vector<peer_id> around{p, a, b};
  auto before = links_of(around);
  // Swap-remove from the member list.
  auto index = it->second.index;
  members_[index] = members_.back();
  at_.at(members_[index]).index = index;
  members_.pop_back();
  at_.erase(it);
  if (a != p) {  // p was not alone: a and b (maybe one peer) close the gap
    at_.at(a).serving = b;
    at_.at(b).served = a;
  }
  auto c = diff(std::move(around), before);
  // The leaver is gone: only the members it leaves behind are told.
  std::erase(c.reordered, p);
  // A member left alone has no link any more, but its neighbours changed.
  if (a != p && c.reordered.empty()) c.reordered.push_back(a);
  return c;
}

}  // namespace circlecdn::routing
