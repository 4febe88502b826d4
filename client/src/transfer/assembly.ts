// Reassembles one pushed item (a small file or one piece) from its chunks. The channel is ordered and
// reliable, so chunks must arrive back to back; a gap or overlap means a misbehaving peer.
import { CircleError } from '../circle-error';

export class Assembly {
  readonly bytes: Uint8Array;
  received = 0;

  constructor(readonly total: number) {
    this.bytes = new Uint8Array(total);
  }

  // Adds one chunk; true once every byte has arrived.
  add(offset: number, payload: Uint8Array): boolean {
    if (offset !== this.received || offset + payload.length > this.total)
      throw new CircleError('ERR_FRAME_ORDER', `chunk at ${offset}, expected ${this.received}`);
    this.bytes.set(payload, offset);
    this.received += payload.length;
    return this.received === this.total;
  }
}
