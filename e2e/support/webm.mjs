// Test video made here, no codec files: a WebM (VP8) recorded in headless Chromium with
// MediaRecorder from a canvas of noise and a frame counter (captureStream), then lengthened in Node
// to a target size by repeating its clusters with shifted timecodes, and written out seekable: a
// known Segment size, Info with a Duration, a SeekHead and Cues (MediaRecorder's own file has none
// of these, so a player could only seek in what it has already read). docs/benchmarks.md, "Video".
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const ID = {
  EBML: 0x1a45dfa3, Segment: 0x18538067, SeekHead: 0x114d9b74, Seek: 0x4dbb, SeekID: 0x53ab, SeekPosition: 0x53ac,
  Info: 0x1549a966, TimecodeScale: 0x2ad7b1, Duration: 0x4489, MuxingApp: 0x4d80, WritingApp: 0x5741,
  Tracks: 0x1654ae6b, Cluster: 0x1f43b675, Timecode: 0xe7, SimpleBlock: 0xa3, BlockGroup: 0xa0, Block: 0xa1, ReferenceBlock: 0xfb,
  Cues: 0x1c53bb6b, CuePoint: 0xbb, CueTime: 0xb3, CueTrackPositions: 0xb7, CueTrack: 0xf7, CueClusterPosition: 0xf1,
};
const TOP = new Set([ID.SeekHead, ID.Info, ID.Tracks, ID.Cluster, ID.Cues, 0x1254c367 /* Tags */, 0x1941a469 /* Attachments */, 0x1043a770 /* Chapters */]);

/** Records `seconds` of a `width` x `height` canvas at `bitsPerSecond` (VP8 WebM) in a fresh headless Chromium. */
export async function recordWebm({ seconds = 4, width = 640, height = 360, bitsPerSecond = 16e6 } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const b64 = await page.evaluate(async ({ seconds, width, height, bitsPerSecond }) => {
      const c = Object.assign(document.createElement('canvas'), { width, height });
      const g = c.getContext('2d');
      const rec = new MediaRecorder(c.captureStream(30), { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: bitsPerSecond });
      const parts = [];
      rec.ondataavailable = (e) => parts.push(e.data);
      const img = g.createImageData(width, height);
      let n = 0;
      let seed = 1;
      const draw = () => {
        for (let i = 0; i < img.data.length; i += 4) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          img.data.set([seed >>> 24, (seed >>> 16) & 255, (i + n * 7) & 255, 255], i);
        }
        g.putImageData(img, 0, 0);
        g.fillStyle = '#fff';
        g.font = '48px sans-serif';
        g.fillText(String(n++), 24, 64);
      };
      draw();
      const timer = setInterval(draw, 33);
      rec.start(1000);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const stopped = new Promise((r) => (rec.onstop = r));
      rec.stop();
      await stopped;
      clearInterval(timer);
      const buf = new Uint8Array(await new Blob(parts).arrayBuffer());
      let s = '';
      for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
      return btoa(s);
    }, { seconds, width, height, bitsPerSecond });
    return Buffer.from(b64, 'base64');
  } finally {
    await browser.close();
  }
}

// EBML reading: an element's id, its data's offset and size (Infinity: unknown size).
function readVint(buf, at, keepMarker) {
  const first = buf[at];
  let len = 1;
  while (len <= 8 && !(first & (0x80 >> (len - 1)))) len++;
  if (len > 8) throw new Error(`webm: bad vint at ${at}`);
  let value = keepMarker ? first : first & (0xff >> len);
  let allOnes = value === (0xff >> len);
  for (let i = 1; i < len; i++) {
    value = value * 256 + buf[at + i];
    if (buf[at + i] !== 0xff) allOnes = false;
  }
  return { value: !keepMarker && allOnes ? Infinity : value, len };
}
function readElement(buf, at) {
  const id = readVint(buf, at, true);
  const size = readVint(buf, at + id.len, false);
  return { id: id.value, start: at, data: at + id.len + size.len, size: size.value };
}
const readUint = (buf, at, size) => {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + buf[at + i];
  return v;
};

// EBML writing: sizes as 8-byte vints, unsigned integers in 8 bytes (fixed widths: the SeekHead
// and the Cues can be sized before the positions they hold are known).
function idBytes(id) {
  const out = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) out.unshift(v & 255);
  return Buffer.from(out);
}
function sizeBytes(n) {
  const b = Buffer.alloc(8);
  b[0] = 0x01;
  b.writeUIntBE(Math.floor(n / 2 ** 32), 1, 3);
  b.writeUInt32BE(n % 2 ** 32, 4);
  return b;
}
const el = (id, ...children) => {
  const data = Buffer.concat(children);
  return Buffer.concat([idBytes(id), sizeBytes(data.length), data]);
};
const uint = (id, v) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v));
  return el(id, b);
};
const float = (id, v) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return el(id, b);
};

// A SimpleBlock's or a BlockGroup's time (relative to its cluster) and whether it is a keyframe
// (a SimpleBlock's flag; a BlockGroup without a ReferenceBlock).
function blockOf(buf, e) {
  let block = e;
  let key = true;
  if (e.id === ID.BlockGroup)
    for (let c = e.data; c < e.data + e.size; ) {
      const k = readElement(buf, c);
      if (k.id === ID.Block) block = k;
      if (k.id === ID.ReferenceBlock) key = false;
      c = k.data + k.size;
    }
  const track = readVint(buf, block.data, false);
  if (e.id === ID.SimpleBlock) key = (buf[block.data + track.len + 2] & 0x80) !== 0;
  return { time: buf.readInt16BE(block.data + track.len), key };
}

/** The recording's parts: the EBML header, the timecode scale, the Tracks element, and each cluster's timecode, blocks and whether it starts with a keyframe. */
export function parseWebm(buf) {
  const ebml = readElement(buf, 0);
  if (ebml.id !== ID.EBML) throw new Error('webm: no EBML header');
  const header = buf.subarray(0, ebml.data + ebml.size);
  const seg = readElement(buf, header.length);
  if (seg.id !== ID.Segment) throw new Error('webm: no Segment');
  const end = seg.size === Infinity ? buf.length : seg.data + seg.size;
  let scale = 1_000_000;
  let tracks;
  const clusters = [];
  for (let at = seg.data; at < end; ) {
    const e = readElement(buf, at);
    if (e.id === ID.Info) {
      for (let c = e.data; c < e.data + e.size; ) {
        const k = readElement(buf, c);
        if (k.id === ID.TimecodeScale) scale = readUint(buf, k.data, k.size);
        c = k.data + k.size;
      }
    } else if (e.id === ID.Tracks) tracks = buf.subarray(e.start, e.data + e.size);
    if (e.id !== ID.Cluster) {
      if (e.size === Infinity) throw new Error('webm: an element of unknown size other than a cluster');
      at = e.data + e.size;
      continue;
    }
    const cluster = { timecode: 0, blocks: [], key: false, last: 0 };
    let c = e.data;
    const stop = e.size === Infinity ? end : e.data + e.size;
    while (c < stop) {
      const k = readElement(buf, c);
      if (e.size === Infinity && TOP.has(k.id)) break;
      if (k.id === ID.Timecode) cluster.timecode = readUint(buf, k.data, k.size);
      else if (k.id === ID.SimpleBlock || k.id === ID.BlockGroup) {
        const b = blockOf(buf, k);
        if (!cluster.blocks.length) cluster.key = b.key;
        cluster.last = Math.max(cluster.last, b.time);
        cluster.blocks.push(buf.subarray(k.start, k.data + k.size));
      }
      c = k.data + k.size;
    }
    clusters.push(cluster);
    at = c;
  }
  if (!tracks || !clusters.length) throw new Error('webm: no Tracks or no clusters');
  return { header, scale, tracks, clusters };
}

/**
 * A seekable WebM of at least `targetBytes`: the recording's clusters repeated (each copy starts
 * with the recording's first keyframe; timecodes shifted by the recording's length), with a
 * SeekHead, Info (Duration), the Tracks and Cues (one per cluster that starts with a keyframe).
 * Returns the file and its duration in seconds.
 */
export function lengthenWebm(recording, targetBytes, frameMs = 33) {
  const { header, scale, tracks, clusters } = parseWebm(recording);
  const last = clusters[clusters.length - 1];
  const clipTicks = last.timecode + last.last + Math.round((frameMs * 1e6) / scale);
  const body = [];
  const cues = [];
  let offset = 0; // from the first cluster
  let copies = 0;
  while (offset < targetBytes) {
    for (const c of clusters) {
      const time = c.timecode + copies * clipTicks;
      if (c.key) cues.push({ time, offset });
      const bytes = el(ID.Cluster, uint(ID.Timecode, time), ...c.blocks);
      body.push(bytes);
      offset += bytes.length;
    }
    copies++;
  }
  const durationTicks = copies * clipTicks;
  const info = el(ID.Info, uint(ID.TimecodeScale, scale), float(ID.Duration, durationTicks),
    el(ID.MuxingApp, Buffer.from('circlecdn e2e')), el(ID.WritingApp, Buffer.from('circlecdn e2e')));
  const seek = (id, pos) => el(ID.Seek, el(ID.SeekID, idBytes(id)), uint(ID.SeekPosition, pos));
  const seekHeadSize = el(ID.SeekHead, seek(ID.Info, 0), seek(ID.Tracks, 0), seek(ID.Cues, 0)).length;
  const clustersAt = seekHeadSize + info.length + tracks.length;
  const cuesEl = el(ID.Cues, ...cues.map((q) => el(ID.CuePoint, uint(ID.CueTime, q.time),
    el(ID.CueTrackPositions, uint(ID.CueTrack, 1), uint(ID.CueClusterPosition, clustersAt + q.offset)))));
  const seekHead = el(ID.SeekHead, seek(ID.Info, seekHeadSize), seek(ID.Tracks, seekHeadSize + info.length),
    seek(ID.Cues, clustersAt + offset));
  const segment = el(ID.Segment, seekHead, info, tracks, ...body, cuesEl);
  return { bytes: Buffer.concat([header, segment]), seconds: (durationTicks * scale) / 1e9, copies, cues: cues.length };
}
