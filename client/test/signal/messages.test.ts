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

  it('accepts the welcome\'s ICE fields and budgets, and the `ice` renewal', () => {
    const ice = {
      ice_servers: [{ urls: ['stun:198.51.100.1:3478'] }, { urls: ['turn:198.51.100.1:3478?transport=udp'], username: '1765100000:P', credential: 'aGk=' }],
      ice_transport_policy: 'relay',
      ice_expires: 1765100000,
    };
    const welcome = { type: 'welcome', peer: 'P', ...ice, connect_timeout: 5000, first_byte_timeout: 3000 };
    expect(parseServerMessage(JSON.stringify(welcome))).toEqual(welcome);
    expect(parseServerMessage(JSON.stringify({ type: 'ice', ...ice }))).toEqual({ type: 'ice', ...ice });
    expect(parseServerMessage('{"type":"ice","ice_transport_policy":"all"}')).toBeNull();
    expect(parseServerMessage('{"type":"ice","ice_servers":null}')).toBeNull();
    expect(parseServerMessage('{"type":"ice","ice_servers":"stun:x"}')).toBeNull();
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
