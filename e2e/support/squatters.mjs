// Fake holders for the squatting tests: plain WebSocket clients in Node (the `ws` package) that
// announce hashes they do not hold and then never serve, never signal and never answer a
// possession challenge. Each counts the `push` orders the tracker sends it: a match it captured.
import WebSocket from 'ws';
import { step } from './util.mjs';

const CONNECT_MS = 10_000;

class Squatter {
  constructor(url) {
    this.pushes = 0;
    this.challenges = 0;
    this.ws = new WebSocket(url, 'circlecdn.1');
    this._waiters = new Map(); // want id -> resolve, for the marker want
    this.welcomed = new Promise((resolve, reject) => {
      this.ws.on('error', reject);
      this.ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'welcome') resolve(m);
        else if (m.type === 'push') this.pushes++;
        else if (m.type === 'challenge') this.challenges++;
        else if (m.type === 'miss') this._waiters.get(m.id)?.();
      });
    });
  }

  // Announces `hashes`, then waits for the answer to a want of a hash no manifest has: the
  // tracker handles one peer's messages in order, so the announce is recorded by then.
  async announce(hashes) {
    for (let i = 0; i < hashes.length; i += 1000)
      this.ws.send(JSON.stringify({ type: 'announce', have: hashes.slice(i, i + 1000) }));
    const id = 2 ** 31 - 1;
    const answered = new Promise((resolve) => this._waiters.set(id, resolve));
    this.ws.send(JSON.stringify({ type: 'want', id, hash: '0'.repeat(64) }));
    await answered;
  }

  close() {
    this.ws.terminate();
  }
}

// `count` squatters on the server at `base` (http://…), each announcing every one of `hashes`.
export async function startSquatters(base, count, hashes) {
  const url = base.replace(/^http/, 'ws') + '/.circlecdn/ws';
  const squatters = Array.from({ length: count }, () => new Squatter(url));
  await step(`${count} squatters connect and announce ${hashes.length} hashes each`, CONNECT_MS * 3, async () => {
    await Promise.all(squatters.map((s) => s.welcomed));
    await Promise.all(squatters.map((s) => s.announce(hashes)));
  });
  return {
    squatters,
    pushes: () => squatters.reduce((n, s) => n + s.pushes, 0),
    challenges: () => squatters.reduce((n, s) => n + s.challenges, 0),
    close: () => squatters.forEach((s) => s.close()),
  };
}

// Every hash a peer can announce for these manifest files: the file's, or its pieces'.
export function allHashes(files) {
  return files.flatMap((f) => f.pieces ?? [f.sha256]);
}
