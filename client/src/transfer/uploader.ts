// The holder's side: pushes items on the server's `push` order over the channel to the wanter,
// at most `maxUploads` at a time; the rest wait in order. A `cancel` stops a push between chunks.
// It subscribes to the tracker's `push`, `cancel` and `down` itself.
import { CircleError } from '../circle-error';
import type { Peer } from '../peer/peer';
import type { PeerPool } from '../peer/peer-pool';
import type { Match } from '../signal/messages';
import type { Tracker } from '../signal/tracker';
import { chunkFrames } from './chunks';
import { FRAME_ABORT, encodeFrame } from './frame';

export class Uploader {
  private _active = 0;
  private _queue: Match[] = [];
  private _cancelled = new Set<string>();

  constructor(
    private _maxUploads: number,
    tracker: Pick<Tracker, 'on'>,
    private _pool: PeerPool,
    private _read: (hash: string) => Promise<Uint8Array | undefined>,
    private _sent: (peer: string, hash: string, bytes: number) => void,
    /** false while this visitor offers nothing (UploadGate): a push then is ignored (our hello saying so is on its way). */
    private _open: () => boolean = () => true,
  ) {
    tracker.on('push', (m) => {
      if (!this._open()) return;
      _pool.accept(m.peer);
      this.push(m);
    });
    tracker.on('cancel', (m) => m.role !== 'wanter' && this.cancel(m.peer, m.id));
    tracker.on('down', () => this.clear());
  }

  /** An upload slot is free now (the ring's "can serve": a want is answered only then). */
  get free(): boolean {
    return this._maxUploads > 0 && this._active + this._queue.length < this._maxUploads && this._open();
  }

  push(p: Match): void {
    if (this._maxUploads < 1) return;
    this._queue.push(p);
    this._pump();
  }

  cancel(peer: string | undefined, id: number): void {
    this._queue = this._queue.filter((p) => !(p.id === id && (!peer || p.peer === peer)));
    this._cancelled.add(`${peer} ${id}`);
  }

  clear(): void {
    for (const p of this._queue.splice(0)) this._cancelled.add(`${p.peer} ${p.id}`);
  }

  private _pump(): void {
    while (this._active < this._maxUploads && this._queue.length) {
      const p = this._queue.shift()!;
      this._active++;
      this._run(p)
        .catch(() => {}) // the wanter's deadline notices; nothing to tell the server
        .finally(() => {
          this._cancelled.delete(`${p.peer} ${p.id}`);
          this._active--;
          this._pump();
        });
    }
  }

  private async _run(p: Match): Promise<void> {
    const key = `${p.peer} ${p.id}`;
    const bytes = await this._read(p.hash);
    const peer = await this._openPeer(p.peer);
    if (!bytes) return peer.send(encodeFrame(FRAME_ABORT, p.id, 0, 0));
    for (const frame of chunkFrames(p.id, bytes)) {
      if (this._cancelled.has(key)) return;
      await peer.send(frame);
    }
    this._sent(p.peer, p.hash, bytes.length);
  }

  // The current channel to `id`, once open. A Peer replaced before opening (glare) is retried.
  private async _openPeer(id: string): Promise<Peer> {
    for (let tries = 0; tries < 3; tries++) {
      const peer = this._pool.peers.get(id);
      if (!peer) break;
      try {
        await peer.whenOpen();
        return peer;
      } catch {}
    }
    throw new CircleError('ERR_NO_PEER');
  }
}
