import { afterEach, describe, expect, it, vi } from 'vitest';

// A Web Locks stand-in: one holder at a time, the others queued, granted in order on release.
function fakeLocks() {
  const queue: (() => void)[] = [];
  let held = false;
  const locks = {
    request(_name: string, fn: () => Promise<never>) {
      return new Promise<void>(() => {
        const grant = () => {
          held = true;
          void fn();
        };
        held ? queue.push(grant) : grant();
      });
    },
  };
  const closeLeader = () => {
    held = false;
    queue.shift()?.();
  };
  return { locks, closeLeader };
}

// Each tab is a fresh copy of the module (its own state), as each page has its own.
const tab = async () => {
  vi.resetModules();
  return import('../../src/sw-bridge/leader');
};
afterEach(() => vi.unstubAllGlobals());

describe('leader', () => {
  it('the first tab leads, the second waits, and takes over when the first goes', async () => {
    const f = fakeLocks();
    vi.stubGlobal('navigator', { locks: f.locks });
    const a = await tab();
    const b = await tab();
    const ran: string[] = [];
    a.whenLeader(() => ran.push('a'));
    b.whenLeader(() => ran.push('b'));
    expect(ran).toEqual(['a']);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(await b.leaderWithin(20)).toBe(false);
    f.closeLeader();
    expect(ran).toEqual(['a', 'b']);
    expect(b.isLeader()).toBe(true);
    expect(await b.leaderWithin(20)).toBe(true);
  });

  it('asks for the lock once however many wait on it, and runs each waiter once', async () => {
    const f = fakeLocks();
    const request = vi.spyOn(f.locks, 'request');
    vi.stubGlobal('navigator', { locks: f.locks });
    const a = await tab();
    let n = 0;
    a.whenLeader(() => n++);
    a.whenLeader(() => n++);
    a.whenLeader(() => n++);
    expect(request).toHaveBeenCalledTimes(1);
    expect(n).toBe(3);
  });

  it('without Web Locks every tab leads itself', async () => {
    vi.stubGlobal('navigator', {});
    const a = await tab();
    let led = false;
    a.whenLeader(() => (led = true));
    expect(led).toBe(true);
  });
});
