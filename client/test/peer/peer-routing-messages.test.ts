// Routing messages are text messages (transfer/frame.ts), sent on a second channel of the Peer's
// connection (`circlecdn-routing`, opened on first use, so an ack never waits behind pushed
// chunks) and taken from either channel: a text message is handed over as its JSON value, a
// binary one on the transfer channel stays a frame; text that is not a JSON object, or longer than
// ROUTING_MAX_BYTES, drops the peer as a malformed frame does; sends go out in order.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CircleError } from '../../src/circle-error';
import { Peer, ROUTING_LABEL } from '../../src/peer/peer';
import { FRAME_DATA, ROUTING_MAX_BYTES, encodeFrame } from '../../src/transfer/frame';
import { FakeChannel, FakePC, microtasks } from '../support/fake-rtc';

function peer() {
  const log = { messages: [] as unknown[], frames: 0, closes: [] as (string | undefined)[] };
  const p = new Peer('R', true, {}, 5_000, {
    signal: () => {},
    open: () => {},
    frame: () => log.frames++,
    message: (m) => log.messages.push(m),
    close: (err?: CircleError) => log.closes.push(err?.code),
  });
  const pc = FakePC.made[FakePC.made.length - 1];
  const text = (s: string) => (pc.channel!.onmessage as unknown as (e: { data: string }) => void)({ data: s });
  return { p, log, pc, text };
}

beforeEach(() => {
  FakePC.made = [];
  vi.stubGlobal('RTCPeerConnection', FakePC);
});
afterEach(() => vi.unstubAllGlobals());

describe('routing messages on a DataChannel', () => {
  it('a text message is a routing message, a binary one a frame', async () => {
    const { log, pc, text } = peer();
    pc.channel!.open();
    text('{"t":"ring.want","id":1}');
    pc.channel!.receive(encodeFrame(FRAME_DATA, 1, 0, 3, new Uint8Array([1, 2, 3])));
    expect(log.messages).toEqual([{ t: 'ring.want', id: 1 }]);
    expect(log.frames).toBe(1);
    expect(log.closes).toEqual([]);
  });

  for (const [what, data] of [
    ['not JSON', '{"t":'],
    ['JSON but not an object', '42'],
    ['longer than the cap', JSON.stringify({ t: 'x', pad: 'a'.repeat(ROUTING_MAX_BYTES) })],
  ] as const) {
    it(`text that is ${what} drops the peer`, async () => {
      const { log, pc, text } = peer();
      pc.channel!.open();
      text(data);
      await microtasks();
      expect(log.messages).toEqual([]);
      expect(log.closes).toEqual(['ERR_BAD_FRAME']);
    });
  }

  it('routing messages go on their own channel, opened on first use, in order', async () => {
    const { p, pc } = peer();
    const transfer = pc.channel!;
    transfer.open();
    const sent = Promise.all([p.sendRouting('{"n":1}'), p.sendRouting('{"n":2}')]);
    await microtasks();
    const routing = pc.channel!;
    expect(routing).not.toBe(transfer);
    const out: unknown[] = [];
    routing.send = ((d: unknown) => void out.push(d)) as never;
    routing.open();
    await sent;
    await p.sendRouting('{"n":3}');
    expect(out).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(transfer.sent).toEqual([]);
  });

  it("the remote's routing channel delivers messages, and is used to send when it came first", async () => {
    const { p, log, pc } = peer();
    pc.channel!.open();
    const remote = new FakeChannel();
    (remote as unknown as { label: string }).label = ROUTING_LABEL;
    remote.readyState = 'open';
    pc.ondatachannel!({ channel: remote });
    (remote.onmessage as unknown as (e: { data: string }) => void)({ data: '{"t":"chord.ack","a":1}' });
    expect(log.messages).toEqual([{ t: 'chord.ack', a: 1 }]);
    await p.sendRouting('{"t":"chord.notify"}');
    expect(remote.sent).toEqual(['{"t":"chord.notify"}']);
  });

  it('sends made before the channel opens go out in order once it does', async () => {
    const { p, pc } = peer();
    const sent = Promise.all([p.send('{"n":1}'), p.send(new Uint8Array([9])), p.send('{"n":2}')]);
    const out: unknown[] = [];
    pc.channel!.send = ((d: unknown) => void out.push(d)) as never;
    pc.channel!.open();
    await sent;
    expect(out).toEqual(['{"n":1}', new Uint8Array([9]), '{"n":2}']);
  });
});
