#pragma once
// The crowd on other processes, as the tracker sees it when it is one of several sharing a Redis
// (cluster/crowd_mirror.hpp implements it). A tracker without one (the default: one process
// alone) never asks: its want path is the synchronous one, unchanged. With one, a want that finds
// no idle holder here asks for holders elsewhere and continues when the answer comes, on the io
// thread (a continuation, never a wait).
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "core/content_hash.hpp"
#include "core/peer_id.hpp"
#include "swarm/holder_policy.hpp"

namespace circlecdn::swarm {

// A holder connected to another process, with the policy inputs that process published for it.
struct remote_holder {
  candidate policy;  // policy.id: the holder; paired_with_wanter is the asker's to fill in
  peer_id process;
  bool unreachable = false;  // its recent paths mostly failed (swarm/path_outcomes.hpp)
};

// The policy inputs a process publishes for each of its holders (what a remote_holder carries).
struct holder_inputs {
  std::uint32_t uploads_in_flight = 0, max_uploads = 0, uploads_completed = 0;
  bool penalised = false, accused = false, suspect = false, unreachable = false;
};

class remote_crowd {
 public:
  using holders_fn = std::function<void(std::span<const remote_holder>)>;
  using order_fn = std::function<void(std::string_view order)>;
  virtual ~remote_crowd() = default;

  // False while the shared store is unreachable: the tracker pairs its own peers only.
  virtual bool up() const = 0;
  // This process's id (orders carry it, so answers find their way back).
  virtual const peer_id& self() const = 0;
  // One round trip: up to `max` holders of h on other processes (never `wanter`), with their
  // inputs. `done` runs later on the io thread, with none when the store is down or the answer
  // was lost; it may run after the wanter left (re-check).
  virtual void sample_holders(const content_hash& h, const peer_id& wanter, std::size_t max,
                              holders_fn done) = 0;
  // A local holder's inputs changed: re-published (coalesced, within this turn of the io loop).
  virtual void holder_changed(const peer_id& p) = 0;
  // Sends an order (signal/cluster_orders.hpp) to `process`; false (nothing sent) when down.
  virtual bool send(const peer_id& process, std::string order) = 0;
  // True when this process's manifest disagrees with another process's for the path of h: such a
  // hash is never paired on (docs/operations.md, "Running a cluster").
  virtual bool disputed(const content_hash& h) const = 0;
};

}  // namespace circlecdn::swarm
