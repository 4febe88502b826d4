// A stylesheet shown from a blob: URL has no base for its relative URLs (fonts, backgrounds,
// @import): they are made absolute against the stylesheet's real URL before it becomes a blob.
// What they point at is then loaded by the browser from the network (or by the service worker).
const REFS = /url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]*)\3/g;
const KEEP = /^(?:[a-z][a-z0-9+.-]*:|#|\/\/)/i; // data:, blob:, http(s): ..., fragments, protocol-relative

export function absolutiseCss(css: string, base: string): string {
  const abs = (u: string) => (u && !KEEP.test(u) ? new URL(u, base).href : u);
  return css.replace(REFS, (all, q1: string, u1: string | undefined, q2: string, u2: string | undefined) =>
    u1 !== undefined ? `url(${q1 || '"'}${abs(u1)}${q1 || '"'})` : u2 !== undefined ? `@import ${q2}${abs(u2)}${q2}` : all,
  );
}
