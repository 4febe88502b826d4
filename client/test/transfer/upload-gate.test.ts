import { afterEach, describe, expect, it, vi } from 'vitest';
import { UploadGate } from '../../src/transfer/upload-gate';

// A browser with GPC on or off and a tab that can be hidden.
function browser({ gpc = false } = {}) {
  const doc = new EventTarget() as EventTarget & { visibilityState: string };
  doc.visibilityState = 'visible';
  vi.stubGlobal('document', doc);
  vi.stubGlobal('navigator', { globalPrivacyControl: gpc });
  return {
    hide(hidden: boolean) {
      doc.visibilityState = hidden ? 'hidden' : 'visible';
      doc.dispatchEvent(new Event('visibilitychange'));
    },
  };
}

function gate(maxUploads = 4) {
  const changes: boolean[] = [];
  return { g: new UploadGate(maxUploads, (open) => changes.push(open)), changes };
}

afterEach(() => vi.unstubAllGlobals());

describe('UploadGate', () => {
  it('stays closed until the welcome brings the policy, then opens once', () => {
    browser();
    const { g, changes } = gate();
    expect(g.paused).toBe('no-policy');
    g.setPolicy({ gpc: 'honor', budget_bytes: 0, when_hidden: 'pause' });
    expect(g.open).toBe(true);
    g.setPolicy({ gpc: 'honor', budget_bytes: 0, when_hidden: 'pause' }); // a second welcome
    expect(changes).toEqual([true]);
  });

  it('honours Global Privacy Control unless the operator ignores it', () => {
    browser({ gpc: true });
    const { g } = gate();
    g.setPolicy({ gpc: 'honor' });
    expect(g.paused).toBe('gpc');
    g.setPolicy({ gpc: 'ignore' });
    expect(g.open).toBe(true);
    g.setPolicy(undefined); // an older server says nothing: honour it
    expect(g.paused).toBe('gpc');
  });

  it('closes for good once the session uploaded its budget', () => {
    browser();
    const { g, changes } = gate();
    g.setPolicy({ budget_bytes: 1000 });
    g.sent(600);
    expect(g.open).toBe(true);
    g.sent(400);
    expect(g.paused).toBe('budget');
    expect(changes).toEqual([true, false]);
    g.setPolicy({ budget_bytes: 1000 }); // a reconnect does not refill it
    expect(g.paused).toBe('budget');
  });

  it('pauses while the tab is hidden and resumes when it is shown, unless told to continue', () => {
    const b = browser();
    const { g, changes } = gate();
    g.setPolicy({ when_hidden: 'pause' });
    b.hide(true);
    expect(g.paused).toBe('hidden');
    b.hide(false);
    expect(g.open).toBe(true);
    expect(changes).toEqual([true, false, true]);
    g.setPolicy({ when_hidden: 'continue' });
    b.hide(true);
    expect(g.open).toBe(true);
  });

  it('never opens when the page set no uploads', () => {
    browser();
    const { g, changes } = gate(0);
    g.setPolicy({ gpc: 'ignore' });
    expect(g.paused).toBe('uploads-off');
    expect(changes).toEqual([]);
  });
});
