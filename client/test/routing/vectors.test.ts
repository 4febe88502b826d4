// The shared routing vectors (test-vectors/routing/, also replayed by the simulator's
// sim/tests/vectors_test.cpp): the browser's ring and Chord give the answers the simulator gives.
import { describe, expect, it } from 'vitest';
import chordJson from '../../../test-vectors/routing/chord-routes.json';
import ringJson from '../../../test-vectors/routing/ring-walks.json';
import { idOfPeer } from '../../src/routing/ids';
import { ChordCrowd, FAST } from './chord-crowd';
import { RingCrowd } from './ring-crowd';
import { peerIdAt } from './sim-network';

// Imported as JSON modules (the library's tsconfig has no Node types).
const chord = chordJson as {
  scenarios: { name: string; fingers: number; ids: number[]; lookups: { from: number; key: number; owner: number; hops: number }[] }[];
};
const ring = ringJson as {
  scenarios: { name: string; peers: number; maxHops: number; holders: number[]; busy: number[]; from: number;
    expect: { outcome: 'found' | 'came_back' | 'ttl'; holder?: number; hops: number } }[];
};

describe('shared routing vectors', () => {
  for (const s of chord.scenarios) {
    it(s.name, async () => {
      const c = new ChordCrowd(1, { ...FAST, fingers: s.fingers });
      const byId = new Map<number, string>();
      for (const id of s.ids) {
        byId.set(id, c.join(peerIdAt(id, c.net.random)));
        await c.net.clock.advance(200);
      }
      // Concurrent joins converge one link per stabilisation round at worst (Chord's stabilise),
      // then every finger needs one fix period on the settled ring.
      await c.net.clock.advance(20 * FAST.stabiliseMs! + 2 * FAST.fixPeriodMs!);
      for (const l of s.lookups) {
        const r = await c.findOwner(byId.get(l.from)!, l.key);
        expect(r.found).toBe(true);
        if (!r.found) continue;
        expect({ owner: idOfPeer(r.owner), hops: r.hops }, `from ${l.from} key ${l.key}`).toEqual({ owner: l.owner, hops: l.hops });
      }
    }, 60_000);
  }

  it('ring walks', async () => {
    for (const s of ring.scenarios) {
      const c = new RingCrowd(1, s.maxHops);
      for (let i = 0; i < s.peers; i++) c.join();
      for (const h of s.holders) c.hold(c.order[h], 'item');
      for (const b of s.busy) c.busy.add(c.order[b]);
      const { outcome } = await c.want(c.order[s.from], 'item');
      const e = s.expect;
      expect(outcome, s.name).toEqual(
        e.outcome === 'found'
          ? { found: true, holder: c.order[e.holder!], hops: e.hops }
          : { found: false, reason: e.outcome, hops: e.hops },
      );
    }
  });
});
