import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '../../src/signal/messages';

describe('parseServerMessage', () => {
  it('accepts the protocol messages', () => {
    const match = { type: 'match', id: 1, hash: 'ab', peer: 'P', connect: true };
    expect(parseServerMessage(JSON.stringify(match))).toEqual(match);
    expect(parseServerMessage('{"type":"miss","id":2,"hash":"h","token":"t","reason":"no_holder"}')).toBeTruthy();
    expect(parseServerMessage('{"type":"signal","from":"P","data":{"candidate":{}}}')).toBeTruthy();
    expect(parseServerMessage('{"type":"welcome","peer":"P","served":[]}')).toBeTruthy();
  });

  it('drops anything malformed', () => {
    expect(parseServerMessage('not json')).toBeNull();
    expect(parseServerMessage('[1]')).toBeNull();
    expect(parseServerMessage('null')).toBeNull();
    expect(parseServerMessage('{"type":"nope"}')).toBeNull();
    expect(parseServerMessage('{"type":"match","id":"1","hash":"h","peer":"P","connect":true}')).toBeNull();
    expect(parseServerMessage('{"type":"signal","from":"P","data":null}')).toBeNull();
    expect(parseServerMessage(new ArrayBuffer(4))).toBeNull();
  });
});
