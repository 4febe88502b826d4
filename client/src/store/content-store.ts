// Verified content in IndexedDB, keyed by content hash, kept under a byte quota by evicting the
// least recently used. Sizes and use times live in memory (loaded once at open) so the quota and the
// holdings list need no database round trip. Without IndexedDB (private modes) it holds nothing.

const DB_VERSION = 1;
const DATA = 'data'; // hash -> ArrayBuffer
const META = 'meta'; // hash -> Meta

interface Meta {
  size: number;
  used: number; // ms since epoch of the last put or get
}

export function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

export class ContentStore {
  private _meta = new Map<string, Meta>();
  bytesUsed = 0;

  private constructor(
    private _db: IDBDatabase | null,
    readonly quotaBytes: number,
    private _onEvict: (hashes: string[]) => void,
  ) {}

  static async open(name: string, quotaBytes: number, onEvict: (hashes: string[]) => void): Promise<ContentStore> {
    let db: IDBDatabase | null = null;
    const store = new ContentStore(null, quotaBytes, onEvict);
    try {
      const open = indexedDB.open(name, DB_VERSION);
      open.onupgradeneeded = () => {
        open.result.createObjectStore(DATA);
        open.result.createObjectStore(META);
      };
      db = await request(open);
      // Another tab upgrading or deleting the database must not be blocked by this one.
      db.onversionchange = () => store.close();
      const metas = db.transaction(META).objectStore(META);
      const [keys, values] = await Promise.all([request(metas.getAllKeys()), request(metas.getAll())]);
      keys.forEach((k, i) => store._remember(k as string, values[i] as Meta));
      store._db = db;
    } catch {
      db?.close();
    }
    return store;
  }

  has(hash: string): boolean {
    return this._meta.has(hash);
  }

  keys(): string[] {
    return [...this._meta.keys()];
  }

  async get(hash: string): Promise<Uint8Array | undefined> {
    const m = this._meta.get(hash);
    if (!m || !this._db) return undefined;
    m.used = Date.now();
    const tx = this._db.transaction([DATA, META], 'readwrite');
    tx.objectStore(META).put(m, hash);
    const buf = (await request(tx.objectStore(DATA).get(hash))) as ArrayBuffer | undefined;
    return buf && new Uint8Array(buf);
  }

  // Stores verified bytes; false when they are not kept (no database, already held, over quota).
  async put(hash: string, bytes: Uint8Array): Promise<boolean> {
    if (!this._db || this._meta.has(hash) || bytes.length > this.quotaBytes) return false;
    // Accounting changes before the await, so concurrent puts see each other's bytes.
    const victims: string[] = [];
    if (this.bytesUsed + bytes.length > this.quotaBytes) {
      const byAge = [...this._meta].sort((a, b) => a[1].used - b[1].used);
      for (const [h] of byAge) {
        if (this.bytesUsed + bytes.length <= this.quotaBytes) break;
        this._forget(h);
        victims.push(h);
      }
    }
    const m = { size: bytes.length, used: Date.now() };
    this._remember(hash, m);
    const tx = this._db.transaction([DATA, META], 'readwrite');
    for (const h of victims) {
      tx.objectStore(DATA).delete(h);
      tx.objectStore(META).delete(h);
    }
    tx.objectStore(DATA).put(bytes.slice().buffer, hash);
    tx.objectStore(META).put(m, hash);
    if (victims.length) this._onEvict(victims);
    try {
      await committed(tx);
      return true;
    } catch {
      if (this._meta.get(hash) === m) this._forget(hash);
      return false;
    }
  }

  close(): void {
    this._db?.close();
    this._db = null;
  }

  private _remember(hash: string, m: Meta): void {
    this._meta.set(hash, m);
    this.bytesUsed += m.size;
  }

  private _forget(hash: string): void {
    this.bytesUsed -= this._meta.get(hash)?.size ?? 0;
    this._meta.delete(hash);
  }
}
