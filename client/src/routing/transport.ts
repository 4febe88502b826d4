// What the ring and Chord need from the world, and nothing else: send a small typed message to a
// peer id, be told of the ones that arrive, and a clock with timers. In the browser the transport
// is the peer pool (a DataChannel, opened through the server's signals when there is none); in the
// unit tests it is a simulated network (client/test/routing/sim-network.ts).

export interface RoutingTransport<M> {
  /** Sends `msg` to `to`. False: there is no way to reach it now (it left, or was never known). */
  send(to: string, msg: M): boolean;
  /** Closes the connection to `peer` (over a connection cap). Messages may still open a new one. */
  close?(peer: string): void;
  /** A connection to `peer` is being set up (in the browser: asked of the server, or ICE under
   * way): a hop or a question to it waits for it, up to the lookup's deadline, instead of timing
   * out at the hop timeout. The simulated network has no set-up time. */
  connecting?(peer: string): boolean;
}

export interface RoutingClock {
  now(): number; // ms
  /** Calls fn after ms; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

/** Why a lookup ends at the origin: the reason the miss token carries (the origin counts them). */
export type CrowdMissReason =
  | 'came_back' // ring: the request went round the whole ring: nobody free holds it
  | 'ttl' // ring: the hop limit ran out before a holder was found
  | 'deadline' // no answer in time (a peer on the path left, or the crowd is slow)
  | 'no_neighbour' // not on a ring yet (or alone): nobody to ask
  | 'no_record'; // chord: the key's owner has no live provider record
