// The holder's side: pushes items on the server's `push` order over the channel to the wanter,
// at most `maxUploads` at a time; the rest wait in order. A `cancel` stops a push between chunks.
import { CircleError } from '../circle-error';
import type { Peer } from '../peer/peer';
import type { PeerPool } from '../peer/peer-pool';
import type { Match } from '../signal/messages';
import { chunkFrames } from './chunks';
import { FRAME_ABORT, encodeFrame } from './frame';

export class Uploader {
  private active = 0;
  private queue: Match[] = [];
  private cancelled = new Set<string>();

  constructor(
    private maxUploads: number,
    private pool: PeerPool,
    private read: (hash: string) => Promise<Uint8Array | undefined>,
    private sent: (peer: string, hash: string, bytes: number) => void,
  ) {}

  push(p: Match): void {
    if (this.maxUploads < 1) return;
    this.queue.push(p);
    this.pump();
  }

  cancel(peer: string | undefined, id: number): void {
    this.queue = this.queue.filter((p) => !(p.id === id && (!peer || p.peer === peer)));
    this.cancelled.add(`${peer} ${id}`);
  }

  clear(): void {
    for (const p of this.queue.splice(0)) this.cancelled.add(`${p.peer} ${p.id}`);
  }

  private pump(): void {
    while (this.active < this.maxUploads && this.queue.length) {
      const p = this.queue.shift()!;
      this.active++;
      this.run(p)
        .catch(() => {}) // the wanter's deadline notices; nothing to tell the server
        .finally(() => {
          this.cancelled.delete(`${p.peer} ${p.id}`);
          this.active--;
          this.pump();
        });
    }
  }

  private async run(p: Match): Promise<void> {
    const key = `${p.peer} ${p.id}`;
    const bytes = await this.read(p.hash);
    const peer = await this.openPeer(p.peer);
    if (!bytes) return peer.send(encodeFrame(FRAME_ABORT, p.id, 0, 0));
    for (const frame of chunkFrames(p.id, bytes)) {
      if (this.cancelled.has(key)) return;
      await peer.send(frame);
    }
    this.sent(p.peer, p.hash, bytes.length);
  }

  // The current channel to `id`, once open. A Peer replaced before opening (glare) is retried.
  private async openPeer(id: string): Promise<Peer> {
    for (let tries = 0; tries < 3; tries++) {
      const peer = this.pool.peers.get(id);
      if (!peer) break;
      try {
        await peer.whenOpen();
        return peer;
      } catch {}
    }
    throw new CircleError('ERR_NO_PEER');
  }
}
