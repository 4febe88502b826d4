// Declarative mode: elements with data-circle-src (img, video, audio, source, link, script) get
// their content through the crowd as a blob: URL. If that fails, or the library is off (no `load`),
// they get the plain URL and the browser loads it as if the library were not there.
export const SRC_ATTR = 'data-circle-src';
const done = new WeakSet<Element>();

export function circleElements(root: ParentNode): Element[] {
  const found = [...root.querySelectorAll(`[${SRC_ATTR}]`)];
  if (root instanceof Element && root.hasAttribute(SRC_ATTR)) found.unshift(root);
  return found.filter((el) => !done.has(el));
}

export async function applySource(el: Element, load?: (url: string) => Promise<Response>): Promise<void> {
  done.add(el);
  const url = el.getAttribute(SRC_ATTR)!;
  let src = url;
  if (load)
    try {
      src = URL.createObjectURL(await (await load(url)).blob());
    } catch {}
  if (el instanceof HTMLLinkElement) el.href = src;
  else if (el instanceof HTMLScriptElement) {
    // A script element only runs its first src: replace it with a fresh one.
    const s = document.createElement('script');
    for (const a of el.attributes) if (a.name !== SRC_ATTR) s.setAttribute(a.name, a.value);
    s.src = src;
    done.add(s);
    el.replaceWith(s);
  } else {
    (el as HTMLImageElement).src = src;
    // A <source> is only read when its media element (re)loads.
    if (el instanceof HTMLSourceElement) (el.parentElement as HTMLMediaElement | null)?.load?.();
  }
}
