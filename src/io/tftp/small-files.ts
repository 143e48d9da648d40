// Small files (iPXE ROMs are 70 KB to 1 MB) kept in memory between transfers,
// keyed by the file itself (device and inode, however it was reached: its real
// path, a symlink, or an openat2 beneath a served folder) and checked against
// its identity (size, mtime, ctime too) on every request, so a rewritten file is
// read again. A replaced file is a new inode: its old copy is never served and
// goes as the least recently used. Bounded in bytes; least recently used files go first.

import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

export interface SmallFileLimits {
  /** Largest file kept. Default 4 MiB. */
  fileBytes: number;
  /** All files kept, together. Default 64 MiB; 0 keeps nothing. */
  totalBytes: number;
}

export const DEFAULT_SMALL_FILE_LIMITS: SmallFileLimits = { fileBytes: 4 * 1024 * 1024, totalBytes: 64 * 1024 * 1024 };

interface Entry {
  data: Buffer;
  id: string;
}

/** Which file: device and inode. */
function fileKey(st: BigIntStats): string {
  return `${st.dev}:${st.ino}`;
}

/** What must be unchanged for a kept copy to still be the file. ctime covers a rewrite within one mtime tick. */
function identity(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

export class SmallFileCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly limits: SmallFileLimits = DEFAULT_SMALL_FILE_LIMITS) {}

  /** Whether a file of `size` bytes is worth reading whole. */
  fits(size: number): boolean {
    return size <= this.limits.fileBytes && size <= this.limits.totalBytes;
  }

  /** The kept bytes of the file `st` (a stat of it now) describes, if they are still its bytes; never touches the disk. */
  get(st: BigIntStats): Buffer | undefined {
    const key = fileKey(st);
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.id !== identity(st)) {
      this.drop(key, e);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e); // most recently used last
    return e.data;
  }

  /**
   * Reads the whole open file and keeps it when it did not change while being read (same
   * identity before and after). Returns what was read either way: one transfer serves one
   * version of the file, never a mix.
   */
  async read(handle: FileHandle): Promise<Buffer> {
    const before = await handle.stat({ bigint: true });
    const data = await handle.readFile();
    const after = await handle.stat({ bigint: true });
    const id = identity(after);
    if (id !== identity(before) || BigInt(data.length) !== after.size || !this.fits(data.length)) return data;
    const key = fileKey(after);
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    this.entries.set(key, { data, id });
    this.bytes += data.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.limits.totalBytes) break;
      this.drop(k, v);
    }
    return data;
  }

  /** Files and bytes kept (for tests and metrics). */
  usage(): { files: number; bytes: number } {
    return { files: this.entries.size, bytes: this.bytes };
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.data.length;
  }
}
