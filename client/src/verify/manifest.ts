// The site's manifest (GET /.circlecdn/manifest.json): which hashes make up which path. Validated
// where it enters; everything after trusts it.
import { CircleError } from '../circle-error';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  pieces?: string[];
}

// One unit of transfer and verification: a whole small file or one piece of a large one.
export interface Item {
  hash: string;
  start: number;
  end: number;
  whole: boolean;
}

const HASH = /^[0-9a-f]{64}$/;

export class Manifest {
  readonly byPath = new Map<string, ManifestFile>();

  constructor(
    readonly generation: number,
    readonly pieceSize: number,
    files: ManifestFile[],
  ) {
    for (const f of files) this.byPath.set(f.path, f);
  }

  static parse(json: unknown): Manifest {
    const m = json as { generation?: unknown; piece_size?: unknown; files?: unknown };
    const ok =
      m && typeof m.piece_size === 'number' && m.piece_size > 0 && Array.isArray(m.files) &&
      m.files.every(
        (f: ManifestFile) =>
          f && typeof f.path === 'string' && Number.isSafeInteger(f.size) && f.size >= 0 && HASH.test(f.sha256) &&
          (f.pieces === undefined ||
            (Array.isArray(f.pieces) && f.pieces.length === Math.ceil(f.size / (m.piece_size as number)) &&
              f.pieces.every((p) => HASH.test(p)))),
      );
    if (!ok) throw new CircleError('ERR_MANIFEST', 'malformed manifest');
    return new Manifest(Number(m.generation) || 0, m.piece_size as number, m.files as ManifestFile[]);
  }

  // The items a file is fetched and verified as: its pieces, or the whole file.
  items(file: ManifestFile): Item[] {
    if (!file.pieces) return [{ hash: file.sha256, start: 0, end: file.size, whole: true }];
    return file.pieces.map((hash, i) => ({
      hash,
      start: i * this.pieceSize,
      end: Math.min((i + 1) * this.pieceSize, file.size),
      whole: false,
    }));
  }
}
