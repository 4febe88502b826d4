#include "model/world.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "model/distributions.hpp"
#include "strategy/chord.hpp"
#include "strategy/ring.hpp"
#include "strategy/tracker.hpp"

namespace circlecdn::sim {

namespace {
constexpr double never = std::numeric_limits<double>::infinity();
// Lookups routed ahead in one batch at most (a batch also ends at every arrival).
constexpr std::size_t max_ahead = 64;
}  // namespace

std::unique_ptr<strategy> make_strategy(const std::string& name, strategy_context ctx) {
  if (name == "tracker") return std::make_unique<tracker>(std::move(ctx));
  if (name == "ring") return std::make_unique<ring>(std::move(ctx));
  if (name == "chord") return std::make_unique<chord>(std::move(ctx));
  throw std::runtime_error("unknown strategy " + name);
}

world::world(const scenario& s)
    : cfg_((validate(s), s)),
      workload_(s.seed, /*stream=*/1),
      strategy_rng_(s.seed, /*stream=*/2),
      site_(s, s.seed),
      peers_(s),
      links_(s, peers_),
      uploads_(static_cast<std::uint32_t>(s.max_uploads)),
      stats_(s.duration_s, s.sample_period_s),
      limit_(site_.count()),
      base_rate_(s.peers / pareto_mean_capped(s.session_min_s, s.session_shape, s.session_max_s)),
      probe_fraction_(std::min(1.0, s.probe_peers / s.peers)),
      deadline_s_(s.lookup_deadline_ms * 1e-3) {
  strategy_context ctx{cfg_,
                       site_,
                       peers_,
                       held_,
                       links_,
                       uploads_,
                       stats_,
                       strategy_rng_,
                       [this](peer_index p, double t) { queue_.push(t, timer, p); },
                       1.0 / probe_fraction_};
  strategy_ = make_strategy(cfg_.strategy, std::move(ctx));
  queue_.reserve(static_cast<std::size_t>(s.peers * 1.2) + 16);
}

double world::session_s() {
  return std::min(pareto(workload_, cfg_.session_min_s, cfg_.session_shape), cfg_.session_max_s);
}

double world::arrival_rate(double t) const {
  if (cfg_.arrival == "flash" && t >= cfg_.flash_at_s &&
      t < cfg_.flash_at_s + cfg_.flash_duration_s) {
    return base_rate_ * cfg_.flash_factor;
  }
  return base_rate_;
}

double world::next_rate_change(double t) const {
  if (cfg_.arrival != "flash") return never;
  if (t < cfg_.flash_at_s) return cfg_.flash_at_s;
  if (t < cfg_.flash_at_s + cfg_.flash_duration_s) return cfg_.flash_at_s + cfg_.flash_duration_s;
  return never;
}

double world::next_arrival(double t) {
  // Piecewise-constant rate: an exponential gap that crosses a rate change is redrawn from the
  // change (memorylessness makes this exact).
  for (;;) {
    const double next = t + workload_.exponential(1.0 / arrival_rate(t));
    const double change = next_rate_change(t);
    if (next < change) return next;
    t = change;
  }
}

void world::spawn(double now, double depart_s, bool view_now, double age_s) {
  const peer_index p = peers_.join(now - age_s, depart_s, workload_);
  peers_.set_probe(p, workload_.uniform() < probe_fraction_);
  if (peers_.slots() > grown_) {
    grown_ = peers_.slots() + peers_.slots() / 4 + 64;
    held_.grow(grown_);
    links_.grow(grown_);
    uploads_.grow(grown_);
    strategy_->grow(grown_);
  }
  links_.reset(p);
  uploads_.reset(p);
  ++stats_.sessions;
  peak_online_ = std::max(peak_online_, peers_.online());
  strategy_->on_join(p, now);
  if (view_now && strategy_->routes_ahead()) {
    view_ahead(p, now);
  } else if (view_now) {
    view(p, now);
  } else {
    const double first = now + workload_.exponential(cfg_.think_mean_s);
    if (first < depart_s) {
      queue_.push(first, page_view, p);
    } else {
      queue_.push(depart_s, departure, p);
    }
  }
}

void world::view(peer_index p, double now) {
  ++stats_.page_views;
  const int n = static_cast<int>(cfg_.requests_per_view);
  for (int i = 0; i < n; ++i) {
    const resource_index r = site_.sample(workload_);
    if (held_.contains(p, r)) {
      ++stats_.cached_skips;
      continue;
    }
    request(p, r, now);
  }
  const double next = now + workload_.exponential(cfg_.think_mean_s);
  if (next < peers_.depart_s(p)) {
    queue_.push(next, page_view, p);
  } else {
    queue_.push(peers_.depart_s(p), departure, p);
  }
}

void world::request(peer_index w, resource_index r, double now) {
  const std::uint32_t size = site_.size_bytes(r);
  ++stats_.requests;
  stats_.bytes_requested += size;
  time_bin& bin = stats_.at(now);
  ++bin.requests;
  const double deadline = now + deadline_s_;
  const lookup_result res = strategy_->lookup(w, r, now, deadline);
  switch (res.outcome) {
    case lookup_outcome::found:
      ++stats_.found;
      if (res.answered_s > deadline) ++stats_.hits_past_deadline;
      break;
    case lookup_outcome::not_found:
      ++stats_.not_found;
      break;
    case lookup_outcome::failed_churn:
      ++stats_.failed_churn;
      ++bin.failed_lookups;
      break;
    case lookup_outcome::failed_deadline:
      ++stats_.failed_deadline;
      ++bin.failed_lookups;
      break;
  }
  stats_.lookup_hops.record(res.hops);
  stats_.lookup_latency_us.record(
      static_cast<std::uint64_t>(std::llround(std::max(0.0, res.answered_s - now) * 1e6)));
  if (observer_) observer_(w, r, now, deadline, res);

  const double down = peers_.download_bytes_s(w);
  std::uint64_t from_peer = 0;
  std::uint64_t from_origin = 0;
  double end;
  double origin_start = 0;
  peer_index served_by = no_peer;  // a holder whose push completes (the wanter's done ok:true)
  if (res.outcome == lookup_outcome::found) {
    const peer_index h = res.holder;
    double ready = res.answered_s;
    if (!links_.connected(w, h)) {
      ready += links_.open(w, h);
      stats_.server(links_.server_messages_per_connect(), res.answered_s);
    }
    const double rate = std::min(static_cast<double>(peers_.upload_bytes_s(h)), down);
    const auto [start, tx_end] = uploads_.schedule(h, ready, size / rate);
    const double gone = peers_.depart_s(h);
    if (gone < tx_end) {
      // The holder left mid-push: keep what arrived, fetch the rest from the origin once the
      // stall is noticed.
      ++stats_.transfers_interrupted;
      const double sent = std::clamp((gone - start) * rate, 0.0, static_cast<double>(size));
      from_peer = static_cast<std::uint64_t>(sent);
      from_origin = size - from_peer;
      const double noticed = std::max(
          ready,
          gone + (peers_.abrupt(h) ? cfg_.transfer_stall_ms * 1e-3 : peers_.one_way_s(h, w)));
      origin_start = noticed;
      end = noticed + peers_.rtt_server_s(w) + static_cast<double>(from_origin) / down;
    } else {
      from_peer = size;
      end = tx_end + peers_.one_way_s(h, w);
      served_by = h;
    }
  } else {
    from_origin = size;
    origin_start = res.answered_s;
    end = res.answered_s + peers_.rtt_server_s(w) + size / down;
  }
  if (peers_.depart_s(w) < end) {  // the visitor left before its bytes arrived
    ++stats_.abandoned;
    stats_.bytes_abandoned += size;
    return;
  }
  ++stats_.completed;
  if (served_by != no_peer) strategy_->on_served(served_by, end);
  limit_.note(r, size);
  stats_.bytes_peers += from_peer;
  stats_.bytes_origin += from_origin;
  bin.peer_bytes += static_cast<double>(from_peer);
  if (from_origin > 0) {
    ++stats_.origin_requests;
    stats_.at(origin_start).origin_bytes += static_cast<double>(from_origin);
  }
  stats_.time_to_resource_us.record(static_cast<std::uint64_t>(std::llround((end - now) * 1e6)));
  held_.add(w, r, end);
  strategy_->on_stored(w, r, end);
}

void world::view_ahead(peer_index p, double now) {
  ++stats_.page_views;
  const int n = static_cast<int>(cfg_.requests_per_view);
  for (int i = 0; i < n; ++i) {
    const resource_index r = site_.sample(workload_);
    deferred_.push_back(deferred{deferred::request, p, r, now});
    // A resource held now is still held when the request is looked at: no route needed.
    if (!held_.contains(p, r)) ahead_.push_back(lookup_query{p, r, now, now + deadline_s_});
  }
  const double next = now + workload_.exponential(cfg_.think_mean_s);
  if (next < peers_.depart_s(p)) {
    queue_.push(next, page_view, p);
  } else {
    queue_.push(peers_.depart_s(p), departure, p);
  }
}

void world::leave_ahead(peer_index p, double now) {
  // Who is on-line changes now; what the visitor held and opened is settled in order.
  deferred_.push_back(deferred{deferred::leave, p, 0, now});
  peers_.leave(p, now, strategy_->keep_s());
}

void world::flush() {
  if (!ahead_.empty()) {
    // The first lookup's other misses land while the routes are taken.
    strategy_->prefetch_lookup(ahead_.front().wanter, ahead_.front().r);
    strategy_->route_ahead(ahead_.data(), ahead_.size());
  }
  std::size_t next_request = 0;
  for (std::size_t i = 0; i < deferred_.size(); ++i) {
    const deferred& d = deferred_[i];
    if (d.kind == deferred::request) {
      // Start the misses of the next lookup while this one is made.
      for (next_request = std::max(next_request, i + 1);
           next_request < deferred_.size() && deferred_[next_request].kind != deferred::request;
           ++next_request) {
      }
      if (next_request < deferred_.size()) {
        strategy_->prefetch_lookup(deferred_[next_request].peer, deferred_[next_request].r);
      }
      if (held_.contains(d.peer, d.r)) {
        ++stats_.cached_skips;
      } else {
        request(d.peer, d.r, d.now);
      }
    } else {
      record_connections(d.peer);
      strategy_->on_leave(d.peer, d.now);
      held_.remove_all(d.peer);
    }
  }
  deferred_.clear();
  ahead_.clear();
}

void world::record_connections(peer_index p) {
  if (!peers_.probe(p)) return;
  stats_.connections_per_peer.record(links_.opened(p) + strategy_->routing_connections(p));
}

void world::leave(peer_index p, double now) {
  record_connections(p);
  strategy_->on_leave(p, now);
  held_.remove_all(p);
  peers_.leave(p, now, strategy_->keep_s());
}

void world::run() {
  if (cfg_.warm_start != 0) {
    const auto initial = static_cast<std::size_t>(std::llround(cfg_.peers));
    for (std::size_t i = 0; i < initial; ++i) {
      const double rest = std::min(
          pareto_residual(workload_, cfg_.session_min_s, cfg_.session_shape), cfg_.session_max_s);
      // Arrived a while ago: spreads the phases of periodic work (Chord refreshes).
      const double age = workload_.uniform() * cfg_.session_min_s;
      spawn(0.0, rest, /*view_now=*/false, age);
    }
    // The initial crowd stands for visitors who arrived before t = 0: its joins are not part of
    // the measured hour (its later traffic is).
    strategy_->warm_start_placed(0.0);
    stats_.server_messages = 0;
    stats_.peer_messages = 0;
    for (auto& b : stats_.bins) b.server_messages = 0;
    links_.clear_counts();
  }
  queue_.push(next_arrival(0.0), arrival, 0);
  const bool ahead = strategy_->routes_ahead();
  while (!queue_.empty()) {
    const event e = queue_.pop();
    if (e.time_s > cfg_.duration_s) break;
    ++events_;
    while (next_bin_ < stats_.bins.size() &&
           static_cast<double>(next_bin_) * stats_.bin_s <= e.time_s) {
      stats_.bins[next_bin_++].online = static_cast<std::uint32_t>(peers_.online());
    }
    peers_.release_due(e.time_s, [this](peer_index p) { strategy_->on_release(p); });
    switch (e.kind) {
      case arrival:
        flush();
        queue_.push(next_arrival(e.time_s), arrival, 0);
        spawn(e.time_s, e.time_s + session_s(), /*view_now=*/true, 0.0);
        break;
      case page_view:
        if (ahead) {
          view_ahead(e.peer, e.time_s);
          if (ahead_.size() >= max_ahead) flush();
        } else {
          view(e.peer, e.time_s);
        }
        break;
      case departure:
        if (ahead) {
          leave_ahead(e.peer, e.time_s);
        } else {
          leave(e.peer, e.time_s);
        }
        break;
      case timer:
        flush();
        strategy_->on_timer(e.peer, e.time_s);
        break;
      default:
        break;
    }
  }
  flush();
  while (next_bin_ < stats_.bins.size()) {
    stats_.bins[next_bin_++].online = static_cast<std::uint32_t>(peers_.online());
  }
  for (std::size_t i = 0; i < peers_.online(); ++i) record_connections(peers_.online_at(i));
  strategy_->finish(cfg_.duration_s);
}

}  // namespace circlecdn::sim
