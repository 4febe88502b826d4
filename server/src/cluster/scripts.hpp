#pragma once
// The Lua scripts the cluster runs in Redis (each one atomic, one round trip). Key names are
// those of cluster/crowd_mirror.hpp's `keys`.
#include <string>

namespace circlecdn::cluster::scripts {

// forget(p): what process p left in Redis goes: its peers' fields in every hash it held (found
// through its index of those hashes), the index, its holders' policy inputs, its manifest and its
// manifest's tag, its peer count and its membership.
inline const std::string forget_function = R"(
local function forget(p)
  for _, h in ipairs(redis.call('SMEMBERS', 'circlecdn:held:' .. p)) do
    local key = 'circlecdn:holders:' .. h
    local kv = redis.call('HGETALL', key)
    for i = 1, #kv, 2 do
      if kv[i + 1] == p then redis.call('HDEL', key, kv[i]) end
    end
  end
  redis.call('DEL', 'circlecdn:held:' .. p, 'circlecdn:load:' .. p, 'circlecdn:manifest:' .. p)
  redis.call('HDEL', 'circlecdn:peers', p)
  redis.call('HDEL', 'circlecdn:mtags', p)
  redis.call('SREM', 'circlecdn:procs', p)
end
)";

// ARGV[1]: the process id. A clean stop, and a (re)join before re-sending everything.
inline const std::string forget_process = forget_function + R"(
forget(ARGV[1])
return 1
)";

// The janitor: every process whose presence key expired is forgotten. Returns how many.
inline const std::string janitor = forget_function + R"(
local gone = 0
for _, p in ipairs(redis.call('SMEMBERS', 'circlecdn:procs')) do
  if redis.call('EXISTS', 'circlecdn:proc:' .. p) == 0 then
    forget(p)
    gone = gone + 1
  end
end
return gone
)";

// Holders of a hash on other processes, for one want: up to ARGV[4] random holders of hash
// ARGV[1] (HRANDFIELD: O(sample), however many hold it), not on this process (ARGV[2]) nor the
// wanter (ARGV[3]), each with the policy inputs its process published. A holder whose process's
// inputs expired (a process that stopped refreshing) is left out before the janitor runs.
// Returns a flat array: peer, process, inputs, peer, process, inputs, ...
inline const std::string sample_holders = R"(
local picks = redis.call('HRANDFIELD', 'circlecdn:holders:' .. ARGV[1], tonumber(ARGV[4]),
                         'WITHVALUES')
local out = {}
for i = 1, #picks, 2 do
  local peer, proc = picks[i], picks[i + 1]
  if proc ~= ARGV[2] and peer ~= ARGV[3] then
    local inputs = redis.call('HGET', 'circlecdn:load:' .. proc, peer)
    if inputs then
      out[#out + 1] = peer
      out[#out + 1] = proc
      out[#out + 1] = inputs
    end
  end
end
return out
)";

}  // namespace circlecdn::cluster::scripts
