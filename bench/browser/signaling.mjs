// Reads visitor B's probe log (bench/browser/probe.mjs) for one transfer: which tracker frames it
// sent and received between its request and the first byte of the resource, the measured signaling
// round trip, and the round trips on the critical path (request → response pairs, each sent only
// after the one before it was answered, that completed before the first byte).
//
// CircleCDN: round trip = `want` → `match` for the want whose chunk arrived first (the tracker's
//   direct answer); critical path = want → match, then (new peer) SDP offer → SDP answer relayed by
//   the tracker. ICE candidates trickle both ways and are counted, but nobody waits for a reply.
// WebTorrent: round trip = the announce carrying B's offers → the tracker's reply to it; critical
//   path = that announce → the SDP answer of the holder (the offers ride on the announce, and with
//   trickle off the candidates are inside the SDPs).

const parse = (s) => {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
};

// Frames as {t, dir: 'out'|'in', m, label} (t relative to `start`), the socket's own events dropped.
function frames(probe, start) {
  return probe.ws
    .filter((f) => f.dir === 'out' || f.dir === 'in')
    .map((f) => ({ t: f.t - start, dir: f.dir, m: parse(f.data) ?? {}, size: f.data.length }));
}

function circleLabel(m) {
  if (m.type === 'signal') return `signal ${m.data?.sdp ? m.data.sdp.type : 'candidate'}`;
  if (m.type === 'want' || m.type === 'match' || m.type === 'push' || m.type === 'miss' || m.type === 'done') return `${m.type} ${m.id}`;
  return m.type ?? '?';
}

function wtLabel(m) {
  if (m.action === 'announce') {
    if (m.offers) return `announce +${m.offers.length} offers`;
    if (m.answer) return 'answer';
    if (m.offer) return 'offer';
    if (m.interval !== undefined) return 'announce reply';
    return 'announce';
  }
  return m.action ?? m.type ?? '?';
}

function summary(all, firstT, pairs, rtt) {
  const before = all.filter((f) => f.t <= firstT);
  const fromRequest = before.filter((f) => f.t >= 0);
  const done = pairs.filter((p) => p.sent !== undefined && p.got !== undefined && p.got <= firstT);
  return {
    ttfbMs: firstT,
    rttMs: rtt,
    ttfbRtts: rtt > 0 ? firstT / rtt : NaN,
    criticalRoundTrips: done.length,
    critical: done.map((p) => `${p.name} ${p.sent.toFixed(1)}→${p.got.toFixed(1)} ms`).join('; '),
    lastSignalMs: done.length ? done[done.length - 1].got : NaN,
    out: fromRequest.filter((f) => f.dir === 'out').length,
    in: fromRequest.filter((f) => f.dir === 'in').length,
    log: before,
  };
}

export function circleSignaling(probe, start, firstT) {
  const all = frames(probe, start).map((f) => ({ ...f, label: circleLabel(f.m) }));
  const head = probe.first?.head ?? [];
  const wantId = head.length >= 5 ? ((head[1] << 24) | (head[2] << 16) | (head[3] << 8) | head[4]) >>> 0 : -1;
  const find = (dir, ok) => all.find((f) => f.dir === dir && ok(f.m));
  const want = find('out', (m) => m.type === 'want' && m.id === wantId);
  const match = find('in', (m) => m.type === 'match' && m.id === wantId);
  const peer = match?.m.peer;
  const offer = find('out', (m) => m.type === 'signal' && m.to === peer && m.data?.sdp?.type === 'offer');
  const answer = find('in', (m) => m.type === 'signal' && m.from === peer && m.data?.sdp?.type === 'answer');
  const pairs = [{ name: 'want→match', sent: want?.t, got: match?.t }];
  if (offer || answer) pairs.push({ name: 'offer→answer', sent: offer?.t, got: answer?.t });
  const rtt = want && match ? match.t - want.t : NaN;
  const s = summary(all, firstT, pairs, rtt);
  // The window the brief asks for: from the client's first want to the first data byte.
  const firstWant = all.find((f) => f.dir === 'out' && f.m.type === 'want' && f.t >= 0);
  const win = all.filter((f) => firstWant && f.t >= firstWant.t && f.t <= firstT);
  return { ...s, wantId, firstOutMs: firstWant?.t ?? NaN, out: win.filter((f) => f.dir === 'out').length, in: win.filter((f) => f.dir === 'in').length,
           candidatesOut: win.filter((f) => f.dir === 'out' && f.label === 'signal candidate').length,
           candidatesIn: win.filter((f) => f.dir === 'in' && f.label === 'signal candidate').length };
}

export function wtSignaling(probe, start, firstT) {
  const all = frames(probe, start).map((f) => ({ ...f, label: wtLabel(f.m) }));
  const announce = all.find((f) => f.dir === 'out' && f.t >= 0 && f.m.action === 'announce' && f.m.offers);
  const reply = all.find((f) => announce && f.dir === 'in' && f.t >= announce.t && f.m.action === 'announce' && f.m.interval !== undefined);
  const answer = all.find((f) => announce && f.dir === 'in' && f.t >= announce.t && f.m.answer);
  const rtt = announce && reply ? reply.t - announce.t : NaN;
  const s = summary(all, firstT, [{ name: 'announce→answer', sent: announce?.t, got: answer?.t }], rtt);
  const win = all.filter((f) => announce && f.t >= announce.t && f.t <= firstT);
  return { ...s, out: win.filter((f) => f.dir === 'out').length, in: win.filter((f) => f.dir === 'in').length,
           candidatesOut: 0, candidatesIn: 0, firstOutMs: announce?.t ?? NaN, connectMs: (probe.ws.find((f) => f.dir === 'connect' && f.t >= start)?.t ?? NaN) - start };
}

// Tracker frames over the whole transfer (request to verified bytes): how many, of which kind, and
// the busiest second of frames sent (the library paces its socket at 40 frames/s after a burst of 150).
export function wholeTransfer(probe, start, done, system) {
  const label = system === 'circlecdn' ? circleLabel : wtLabel;
  const all = frames(probe, start).filter((f) => f.t >= 0 && f.t <= done - start);
  const kinds = {};
  for (const f of all) {
    const k = `${f.dir} ${label(f.m).replace(/ \d+$/, '')}`;
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  const outs = all.filter((f) => f.dir === 'out').map((f) => f.t);
  let peak = 0;
  for (let i = 0, j = 0; i < outs.length; i++) {
    while (outs[i] - outs[j] > 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  // Frames sent per second over the last half of the transfer (the steady state, after the burst).
  const half = (done - start) / 2;
  const lateOut = outs.filter((t) => t >= half).length;
  return { out: outs.length, in: all.length - outs.length, peakOutPerS: peak, lateOutPerS: half > 0 ? lateOut / (half / 1000) : NaN,
           log: all.map((f) => ({ ...f, label: label(f.m) })),
           kinds: Object.entries(kinds).sort().map(([k, n]) => `${k}:${n}`).join(' ') };
}
