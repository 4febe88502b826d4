// Content types for Responses built from peer bytes (peers send no headers). Blob URLs carry this
// type, and browsers insist on it for stylesheets and module scripts.
const TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  avif: 'image/avif', svg: 'image/svg+xml', ico: 'image/x-icon', mp4: 'video/mp4', webm: 'video/webm',
  mp3: 'audio/mpeg', ogg: 'audio/ogg', woff: 'font/woff', woff2: 'font/woff2', ttf: 'font/ttf',
  js: 'text/javascript', mjs: 'text/javascript', css: 'text/css', json: 'application/json',
  html: 'text/html', txt: 'text/plain', wasm: 'application/wasm',
};

export function mimeType(path: string): string {
  return TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}
