import { describe, expect, it } from 'vitest';
import { answerHeaders, contentRange, networkReason, pickClient } from '../../src/sw/routing';

const ORIGIN = 'https://site.example';
const paths = new Set(['/img/a.png', '/css/site.css', '/fonts/ünï.woff2']);
const req = (url: string, { method = 'GET', mode = 'no-cors', headers = {} as Record<string, string> } = {}) => ({
  method, url, mode, headers: new Headers(headers),
});

describe('networkReason', () => {
  it('asks a page for a same-origin GET of a manifest path, whatever its destination', () => {
    expect(networkReason(req(`${ORIGIN}/img/a.png`), ORIGIN, paths)).toBeNull();
    expect(networkReason(req(`${ORIGIN}/css/site.css?v=3`, { mode: 'cors' }), ORIGIN, paths)).toBeNull();
    expect(networkReason(req(`${ORIGIN}/img/a.png`, { headers: { Range: 'bytes=0-' } }), ORIGIN, paths)).toBeNull();
    // Percent-encoded in the URL, decoded in the manifest.
    expect(networkReason(req(`${ORIGIN}/fonts/%C3%BCn%C3%AF.woff2`), ORIGIN, paths)).toBeNull();
  });

  it('lets navigations and everything but GET through untouched', () => {
    expect(networkReason(req(`${ORIGIN}/img/a.png`, { mode: 'navigate' }), ORIGIN, paths)).toBe('navigation');
    for (const method of ['POST', 'HEAD', 'PUT', 'DELETE'])
      expect(networkReason(req(`${ORIGIN}/img/a.png`, { method }), ORIGIN, paths)).toBe('method');
  });

  it('sends other origins, its own files, the library own fetches and unknown paths to the network', () => {
    expect(networkReason(req('https://cdn.other.example/img/a.png'), ORIGIN, paths)).toBe('cross-origin');
    expect(networkReason(req(`${ORIGIN}/.circlecdn/manifest.json`), ORIGIN, paths)).toBe('circlecdn');
    expect(networkReason(req(`${ORIGIN}/img/a.png`, { headers: { 'X-Circle-Miss': 't' } }), ORIGIN, paths)).toBe('library');
    expect(networkReason(req(`${ORIGIN}/img/a.png`, { headers: { 'X-Circle-Library': '1' } }), ORIGIN, paths)).toBe('library');
    expect(networkReason(req(`${ORIGIN}/img/b.png`), ORIGIN, paths)).toBe('not-in-manifest');
    expect(networkReason(req(`${ORIGIN}/%E0%A4%A`), ORIGIN, paths)).toBe('bad-path');
  });

  it('says when it needs the manifest to decide', () => {
    expect(networkReason(req(`${ORIGIN}/img/a.png`), ORIGIN, undefined)).toBe('no-manifest');
    expect(networkReason(req(`${ORIGIN}/img/a.png`, { method: 'POST' }), ORIGIN, undefined)).toBe('method');
  });
});

describe('pickClient', () => {
  const tabs = [
    { id: 'a', type: 'window', visibilityState: 'hidden' },
    { id: 'b', type: 'window', visibilityState: 'visible' },
    { id: 'c', type: 'window', focused: true, visibilityState: 'visible' },
    { id: 'w', type: 'worker' },
  ];

  it('prefers the leader tab, then the requesting page, then a focused, a visible, any window', () => {
    expect(pickClient(tabs, 'a', 'b')).toBe('b');
    expect(pickClient(tabs, 'a', 'gone')).toBe('a');
    expect(pickClient(tabs, 'w')).toBe('c');
    expect(pickClient(tabs.filter((t) => t.id !== 'c'), 'w')).toBe('b');
    expect(pickClient([tabs[0]], 'x')).toBe('a');
    expect(pickClient([tabs[3]], 'w')).toBeUndefined();
    expect(pickClient([], 'x')).toBeUndefined();
  });
});

describe('answerHeaders', () => {
  it('adds the manifest size to a whole answer without a length, never to a range or a coded body', () => {
    expect(answerHeaders(200, { 'Content-Type': 'image/png' }, 1234)).toEqual({ 'content-type': 'image/png', 'content-length': '1234' });
    expect(answerHeaders(200, { 'content-length': '10' }, 1234)['content-length']).toBe('10');
    expect(answerHeaders(206, { 'content-range': 'bytes 0-9/1234' }, 1234)['content-length']).toBeUndefined();
    expect(answerHeaders(200, { 'content-encoding': 'gzip' }, 1234)['content-length']).toBeUndefined();
    expect(answerHeaders(200, {}, undefined)['content-length']).toBeUndefined();
  });
});

describe('contentRange', () => {
  it('reads the span a 206 answered, and nothing from a malformed or missing header', () => {
    expect(contentRange({ 'content-range': 'bytes 1000-4999999/6291456' })).toEqual([1000, 4999999]);
    expect(contentRange({ 'content-range': 'bytes 0-0/*' })).toEqual([0, 0]);
    expect(contentRange({ 'content-range': 'bytes */6291456' })).toBeUndefined();
    expect(contentRange({ 'content-range': 'bytes 9-3/10' })).toBeUndefined();
    expect(contentRange({ 'content-range': 'items 0-9/10' })).toBeUndefined();
    expect(contentRange({})).toBeUndefined();
  });
});
