// Declarative mode: elements marked with data-circle-src (img, link, script) or data-circle-srcset
// (img, <picture> sources) get their content through the crowd as a blob: URL. If that fails, or
// the library is off (no `load`), they get the plain URL and the browser loads it as if the
// library were not there. docs/client.md, "Declarative mode":
// - images: srcset and <picture> are chosen as the browser would (srcset.ts); loading="lazy"
//   waits until the image nears the viewport (IntersectionObserver);
// - stylesheets: their relative url()s and @imports are made absolute first (css-urls.ts);
// - classic scripts run in document order, each after the one before it has run; module scripts
//   and media (video, audio and their sources) get their real URL: a module's relative imports
//   need it as their base, and a media element reads by Range (service-worker mode carries both);
// - observe(): new elements, changed attributes and removed elements (their blob: URL revoked).
import { absolutiseCss } from './css-urls';
import { SRC_ATTR, SRCSET_ATTR } from './marks';
import { imageUrl } from './srcset';

export type Load = (url: string) => Promise<Response>;
const MARKED = `[${SRC_ATTR}],[${SRCSET_ATTR}]`;
// How far outside the viewport a lazy image starts loading (Chromium's own distance on a fast link).
const LAZY_MARGIN = '1250px';

const shown = new WeakMap<Element, { url: string; blob?: string }>(); // what an element shows now

export class Declarative {
  private _lazy?: IntersectionObserver;
  private _near = new WeakSet<Element>(); // lazy images that came near the viewport once
  private _scripts: Promise<unknown> = Promise.resolve();

  constructor(private _load: () => Load | undefined) {}

  // Loads every marked element under `root` (lazy images once they near the viewport).
  scan(root: ParentNode): Promise<void> {
    const found = [...root.querySelectorAll(MARKED)];
    if (root instanceof Element && root.matches(MARKED)) found.unshift(root);
    return Promise.all(found.map((el) => this._apply(el))).then(() => {});
  }

  // What observe() saw (its MutationObserver lives in the core: circle-cdn.ts, dom/marks.ts).
  mutated(records: MutationRecord[]): void {
    for (const r of records) {
      if (r.type === 'attributes') void this._apply(r.target as Element);
      for (const n of r.addedNodes) if (n instanceof Element) void this.scan(n);
      for (const n of r.removedNodes) if (n instanceof Element) revokeGone(n);
    }
  }

  private async _apply(el: Element): Promise<void> {
    // A <picture>'s source decides for the picture's img.
    if (el.tagName === 'SOURCE' && el.parentElement?.tagName === 'PICTURE') {
      const img = el.parentElement.querySelector('img');
      return img ? this._apply(img) : undefined;
    }
    const url = el.tagName === 'IMG' ? imageUrl(el) : el.getAttribute(SRC_ATTR);
    if (!url || shown.get(el)?.url === url) return;
    if (el.getAttribute('loading') === 'lazy' && el.tagName === 'IMG' && !this._near.has(el)) return this._whenNear(el);
    const load = this._load();
    const plain = !load || isMedia(el) || (el.tagName === 'SCRIPT' && (el as HTMLScriptElement).type === 'module');
    shown.set(el, { url, blob: shown.get(el)?.blob }); // the blob shown until the new one replaces it
    if (el.tagName === 'SCRIPT') return this._script(el as HTMLScriptElement, url, plain ? undefined : load);
    let src = url;
    let blob: string | undefined;
    if (!plain)
      try {
        const res = await load(url);
        const stylesheet = el.tagName === 'LINK' && /\bstylesheet\b/i.test(el.getAttribute('rel') ?? '');
        const body = stylesheet ? new Blob([absolutiseCss(await res.text(), new URL(url, location.href).href)], { type: 'text/css' }) : await res.blob();
        src = blob = URL.createObjectURL(body);
      } catch {}
    // An attribute changed while this one loaded: the newer load decides.
    const now = shown.get(el);
    if (now?.url !== url) return void (blob && URL.revokeObjectURL(blob));
    const old = now.blob;
    now.blob = blob;
    if (el.tagName === 'LINK') (el as HTMLLinkElement).href = src;
    else {
      (el as HTMLImageElement).src = src;
      // A <source> is only read when its media element (re)loads.
      if (el.tagName === 'SOURCE') (el.parentElement as HTMLMediaElement | null)?.load?.();
    }
    if (old) URL.revokeObjectURL(old);
  }

  // A classic script is fetched at once, but inserted only after the marked scripts before it
  // have run (a script element runs only its first src, so a fresh one replaces it).
  private _script(el: HTMLScriptElement, url: string, load?: Load): Promise<void> {
    const body = load?.(url).then((r) => r.blob()).catch(() => undefined);
    const run = this._scripts.then(async () => {
      const blob = await body;
      const s = document.createElement('script');
      for (const a of el.attributes) if (a.name !== SRC_ATTR) s.setAttribute(a.name, a.value);
      s.async = false;
      const src = blob ? URL.createObjectURL(blob) : url;
      shown.set(s, { url, blob: blob && src });
      const ran = new Promise((r) => (s.onload = s.onerror = r));
      s.src = src;
      el.replaceWith(s);
      await ran;
    });
    this._scripts = run;
    return run;
  }

  private _whenNear(el: Element): void {
    this._lazy ??= new IntersectionObserver((entries) => {
      for (const e of entries)
        if (e.isIntersecting) {
          this._lazy!.unobserve(e.target);
          this._near.add(e.target);
          void this._apply(e.target);
        }
    }, { rootMargin: LAZY_MARGIN });
    this._lazy.observe(el);
  }
}

const isMedia = (el: Element) => /^(VIDEO|AUDIO)$/.test(el.tagName) || (el.tagName === 'SOURCE' && /^(VIDEO|AUDIO)$/.test(el.parentElement?.tagName ?? ''));

// An element that left the document (and was not just moved) frees its blob: URL, and so do the
// marked elements inside it.
function revokeGone(root: Element): void {
  for (const el of [root, ...root.querySelectorAll('*')]) {
    const s = shown.get(el);
    if (!s?.blob || el.isConnected) continue;
    URL.revokeObjectURL(s.blob);
    shown.delete(el);
  }
}
