// The globals a secure page at https://site.test gives the library (unit tests only): location,
// a secure context, no stored preferences, a visible document and the given WebSocket stand-in.
import { vi } from 'vitest';

export function stubSecurePage(webSocket: unknown, href = 'https://site.test/'): void {
  vi.stubGlobal('location', { origin: 'https://site.test', href });
  vi.stubGlobal('isSecureContext', true);
  vi.stubGlobal('localStorage', { getItem: () => null });
  vi.stubGlobal('navigator', {});
  vi.stubGlobal('document', Object.assign(new EventTarget(), { visibilityState: 'visible' }));
  vi.stubGlobal('WebSocket', webSocket);
}
