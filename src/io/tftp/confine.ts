// Maps a requested TFTP filename onto a regular file inside one of the served
// folders, and opens it read-only. Nothing outside those folders is ever opened.

import { closeSync, constants, fstatSync, type BigIntStats } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { constants as os } from 'node:os';
import { join, sep } from 'node:path';
import { errnoName, type Libc } from '../libc.ts';
import { TftpErrorCode } from './packet.ts';

export type SplitResult = { ok: true; segments: string[] } | { ok: false; code: number; reason: string };

/**
 * Turns a requested name into path segments relative to a served folder. Leading slashes
 * are dropped, as tftpd-hpa -s does, because firmware asks for `/undionly.kpxe`; empty and
 * `.` segments are dropped; a `..` segment anywhere is refused rather than resolved.
 * Backslashes are ordinary characters (no Windows path translation).
 */
export function splitRequestPath(filename: string): SplitResult {
  if (filename.includes('\0')) return { ok: false, code: TftpErrorCode.ACCESS_VIOLATION, reason: 'NUL in filename' };
  const segments = filename.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, code: TftpErrorCode.ACCESS_VIOLATION, reason: '".." in filename' };
  if (segments.length === 0) return { ok: false, code: TftpErrorCode.FILE_NOT_FOUND, reason: 'empty filename' };
  return { ok: true, segments };
}

export type OpenResult =
  | { ok: true; handle: FileHandle; size: number }
  | { ok: false; code: number; reason: string };

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function inside(root: string, real: string): boolean {
  const prefix = root.endsWith(sep) ? root : root + sep;
  return real.startsWith(prefix);
}

type RootLookup = { kind: 'found'; path: string } | { kind: 'missing' } | { kind: 'refused'; reason: string };

/**
 * Where `segments` resolves under one served folder: its real path when it stays inside,
 * `missing` (try the next folder; a missing fallback folder is not an error for the
 * request), or `refused` (escapes the folder, or cannot be resolved).
 */
async function resolveUnder(root: string, segments: readonly string[]): Promise<RootLookup> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { kind: 'missing' };
  }
  let real: string;
  try {
    real = await realpath(join(realRoot, ...segments));
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'refused', reason: `cannot resolve: ${code ?? String(e)}` };
  }
  if (!inside(realRoot, real)) return { kind: 'refused', reason: 'resolves outside the served folder' };
  return { kind: 'found', path: real };
}

/**
 * Opens `segments` under the first folder of `roots` that has it. Symlinks are followed
 * only while the final target stays inside the folder they were found in; a symlink that
 * escapes is an access violation and the later folders are not tried. Caveat: someone who
 * can write into a served folder can race a swap between the check and the open; the
 * final open uses O_NOFOLLOW on the resolved path, so only directory swaps remain.
 */
export async function openConfined(roots: readonly string[], segments: readonly string[]): Promise<OpenResult> {
  for (const root of roots) {
    const r = await resolveUnder(root, segments);
    if (r.kind === 'missing') continue;
    if (r.kind === 'refused') return { ok: false, code: TftpErrorCode.ACCESS_VIOLATION, reason: r.reason };
    const real = r.path;
    let handle: FileHandle;
    try {
      // O_NONBLOCK: opening a FIFO planted in the folder must not hang a libuv thread.
      handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT') continue;
      return { ok: false, code: TftpErrorCode.ACCESS_VIOLATION, reason: `cannot open: ${code ?? String(e)}` };
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) {
        await handle.close();
        return { ok: false, code: TftpErrorCode.ACCESS_VIOLATION, reason: 'not a regular file' };
      }
      return { ok: true, handle, size: st.size };
    } catch (e) {
      await handle.close().catch(() => undefined);
      return { ok: false, code: TftpErrorCode.ACCESS_VIOLATION, reason: `cannot stat: ${errnoOf(e) ?? String(e)}` };
    }
  }
  return { ok: false, code: TftpErrorCode.FILE_NOT_FOUND, reason: 'not found' };
}

/**
 * Where `segments` resolves under the first folder of `roots` that has it, with an lstat
 * of the result, without opening it: enough to serve a copy kept in memory (three
 * thread-pool round trips instead of the five of open, stat and close). Undefined
 * whenever openConfined has something to decide (missing, escaping, not a regular file,
 * any error); the caller then goes through openConfined, the only path that opens.
 */
export async function locateConfined(roots: readonly string[], segments: readonly string[]): Promise<{ path: string; stat: BigIntStats } | undefined> {
  for (const root of roots) {
    const r = await resolveUnder(root, segments);
    if (r.kind === 'missing') continue;
    if (r.kind === 'refused') return undefined;
    try {
      // lstat: if the last component became a symlink since realpath, it is not served from here.
      const stat = await lstat(r.path, { bigint: true });
      return stat.isFile() ? { path: r.path, stat } : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A regular file found inside a served folder; `path` (its real path) when locateConfined found it. */
type Located = { stat: BigIntStats; path?: string } | undefined;

/**
 * locateConfined for requests that come in bursts (a rack of hosts fetching the same ROM):
 * lookups of one path asked for in the same turn of the event loop share one set of checks,
 * started at the end of that turn (setImmediate), after the last of them arrived, so every
 * request is still checked against the file system as it stands after its arrival. One
 * that arrives while a lookup runs gets the lookup of its own turn. 50 concurrent fetches
 * of one ROM cost one lookup instead of fifty (three thread-pool round trips each).
 *
 * With `quick` (createQuickLocator), the lookup tries it first, on the event loop, and
 * goes to the thread pool only when it leaves the answer open. Shared the same way: one
 * openat2 lookup per path and turn costs less than one per request (about 8 us each).
 */
export function createLocator(roots: readonly string[], quick?: (segments: readonly string[]) => BigIntStats | undefined): (segments: readonly string[]) => Promise<Located> {
  const pending = new Map<string, { segments: readonly string[]; waiters: Array<(r: Located) => void> }>();
  return (segments) =>
    new Promise((resolve) => {
      // NUL never occurs in a segment (splitRequestPath refuses it).
      const key = segments.join('\0');
      const entry = pending.get(key);
      if (entry !== undefined) {
        entry.waiters.push(resolve);
        return;
      }
      const created = { segments, waiters: [resolve] };
      pending.set(key, created);
      setImmediate(() => {
        pending.delete(key);
        // Any failure is `undefined`: openConfined then decides, and reports why.
        const deliver = (r: Located): void => {
          for (const w of created.waiters) w(r);
        };
        const stat = quick?.(created.segments);
        if (stat !== undefined) deliver({ stat });
        else locateConfined(roots, created.segments).then(deliver, () => deliver(undefined));
      });
    });
}

const AT_FDCWD = -100;
// Linux's generic value on x86-64 and arm64, the only places openat2 is called (libc.ts).
const O_CLOEXEC = 0o2000000;
const RESOLVE_NO_MAGICLINKS = 0x02;
const RESOLVE_BENEATH = 0x08;
const RESOLVE_CACHED = 0x20;
const { ENOENT, ENOTDIR, ENOSYS, EINVAL } = os.errno;

/**
 * The file `segments` names under the first of `roots` that has it, found synchronously
 * with openat2(2), or undefined whenever the full checks (locateConfined, openConfined)
 * have anything to decide. Used (through createLocator) to serve a copy kept in memory
 * without the thread pool: a lookup costs two opens, an fstat and two closes on the event
 * loop (about 8 us) instead of three thread-pool round trips.
 *
 * - RESOLVE_BENEATH: the kernel refuses any resolution that leaves the folder (a `..` or a
 *   symlink pointing out, an absolute symlink), at the moment of the open: no check-then-
 *   open race. Such a request falls through to the full checks, which refuse or allow it
 *   as always (an absolute symlink into the folder is allowed there).
 * - RESOLVE_CACHED: the lookup fails with EAGAIN rather than wait for a disk or a network
 *   file system, so the event loop never blocks; that request takes the full checks too.
 * - Missing from one folder (ENOENT, ENOTDIR; known once a lookup has cached the missing
 *   name) goes on to the next, as the full checks do. Anything but a regular file falls
 *   through (O_NONBLOCK: opening a FIFO does not wait).
 * - A kernel without openat2 or RESOLVE_CACHED (before 5.12) turns this off for good
 *   (`onOff` says why, once).
 */
export function createQuickLocator(roots: readonly string[], c: Libc, onOff?: (reason: string) => void): (segments: readonly string[]) => BigIntStats | undefined {
  let off = false;
  return (segments) => {
    if (off) return undefined;
    const rel = segments.join('/');
    for (const root of roots) {
      const dir = c.openat2(AT_FDCWD, root, constants.O_RDONLY | constants.O_DIRECTORY | O_CLOEXEC, RESOLVE_CACHED);
      if (dir === -ENOENT || dir === -ENOTDIR) continue;
      if (dir < 0) {
        if (dir === -ENOSYS || dir === -EINVAL) {
          off = true;
          onOff?.(errnoName(-dir));
        }
        return undefined;
      }
      let fd: number;
      try {
        fd = c.openat2(dir, rel, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_CACHED);
      } finally {
        closeSync(dir);
      }
      if (fd === -ENOENT || fd === -ENOTDIR) continue;
      if (fd < 0) return undefined;
      try {
        const st = fstatSync(fd, { bigint: true });
        return st.isFile() ? st : undefined;
      } catch {
        return undefined;
      } finally {
        closeSync(fd);
      }
    }
    // In no folder: the full checks say so (and report it).
    return undefined;
  };
}
