// Whether this visitor takes part: the operator's switch, the visitor's own switch (kept in
// localStorage), Save-Data, and a metered connection where the browser says so. An opted-out
// visitor fetches everything from the origin and uploads nothing.
export const VISITOR_OPT_OUT_KEY = 'circlecdn-optout';

interface NetworkInformationLike {
  saveData?: boolean;
  metered?: boolean;
  type?: string;
}

export function optOutReason(enabled: boolean): string | null {
  if (!enabled) return 'operator';
  try {
    if (localStorage.getItem(VISITOR_OPT_OUT_KEY) === '1') return 'visitor';
  } catch {}
  const c = (navigator as { connection?: NetworkInformationLike }).connection;
  if (c?.saveData) return 'save-data';
  // `metered` is the Network Information draft's flag; a cellular link is taken as metered.
  if (c?.metered || c?.type === 'cellular') return 'metered';
  return null;
}

export function setVisitorOptOut(optOut: boolean): void {
  try {
    if (optOut) localStorage.setItem(VISITOR_OPT_OUT_KEY, '1');
    else localStorage.removeItem(VISITOR_OPT_OUT_KEY);
  } catch {}
}
