// Which image URL a declarative <img> shows, chosen the way the browser would choose among its
// own srcset and <picture> sources, but without the browser fetching any candidate: the first
// <source> of a <picture> whose media matches and whose type is an image type the browser decodes,
// then the candidate of that srcset (or the img's own) that fits the slot (the `sizes` length, or
// the viewport's width) at the device pixel ratio. Chosen once when loaded (and again when an
// attribute changes), not on every resize.
import { SRCSET_ATTR } from './marks';

// The image types both engines decode; a <source> with another type is skipped, as the browser
// would skip a type it does not support.
const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp|avif|svg\+xml|x-icon|bmp)$/i;

interface Candidate {
  url: string;
  w?: number; // width descriptor
  x: number; // density (1 by default)
}

export function parseSrcset(srcset: string): Candidate[] {
  const out: Candidate[] = [];
  // Candidates are separated by commas that follow a descriptor or a URL ending in whitespace;
  // URLs may contain commas (data: URLs) only when followed by no descriptor, a rare case ignored.
  for (const part of srcset.split(/,\s+|,(?=\S+\s)|,$/)) {
    const [url, desc = ''] = part.trim().split(/\s+/, 2);
    if (!url) continue;
    const n = parseFloat(desc);
    out.push(desc.endsWith('w') ? { url, w: n, x: 1 } : { url, x: desc.endsWith('x') && n > 0 ? n : 1 });
  }
  return out;
}

// The slot's width in CSS px from a `sizes` attribute: the first entry whose media condition
// matches; a length is measured by the browser (a hidden element of that width).
function slotWidth(sizes: string | null): number {
  for (const entry of (sizes ?? '').split(',')) {
    const m = /^\s*(\(.*\))?\s*([^()]+|calc\(.*\))\s*$/.exec(entry);
    if (!m || (m[1] && !matchMedia(m[1]).matches)) continue;
    const probe = document.createElement('div');
    probe.style.cssText = `position:absolute;visibility:hidden;width:${m[2].trim()}`;
    document.body.append(probe);
    const w = probe.getBoundingClientRect().width;
    probe.remove();
    if (w > 0) return w;
  }
  return innerWidth;
}

export function pickCandidate(list: Candidate[], sizes: string | null, dpr = devicePixelRatio || 1): string | undefined {
  if (!list.length) return undefined;
  const slot = list.some((c) => c.w) ? slotWidth(sizes) : 1;
  const density = (c: Candidate) => (c.w ? c.w / slot : c.x);
  const sorted = [...list].sort((a, b) => density(a) - density(b));
  return (sorted.find((c) => density(c) >= dpr) ?? sorted[sorted.length - 1]).url;
}

// The URL for a declarative <img>: from its <picture>'s sources, its srcset, or its src.
export function imageUrl(img: Element): string | undefined {
  const picture = img.parentElement?.tagName === 'PICTURE' ? img.parentElement : null;
  for (const source of picture ? picture.querySelectorAll(`source[${SRCSET_ATTR}]`) : []) {
    const media = source.getAttribute('media');
    const type = source.getAttribute('type');
    if ((media && !matchMedia(media).matches) || (type && !IMAGE_TYPES.test(type))) continue;
    return pickCandidate(parseSrcset(source.getAttribute(SRCSET_ATTR)!), source.getAttribute('sizes') ?? img.getAttribute('sizes'));
  }
  const set = img.getAttribute(SRCSET_ATTR);
  return (set && pickCandidate(parseSrcset(set), img.getAttribute('sizes'))) || img.getAttribute('data-circle-src') || undefined;
}
