// newc ("070701") cpio archives written in TypeScript, so the initramfs needs
// neither the cpio package nor root for /dev/console (a char node is a header).
export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'char'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

function header(ino: number, mode: number, nlink: number, size: number, name: string, rdev: [number, number] = [0, 0]): Buffer {
  const fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], Buffer.byteLength(name) + 1, 0];
  const text = `070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}${name}\0`;
  return Buffer.concat([Buffer.from(text, 'latin1'), pad4(110 + Buffer.byteLength(name) + 1)]);
}

/** The archive, entries in the given order (parents before children), mtime 0 so builds are reproducible. */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const path = e.path.replace(/^\/+/, '');
    let mode: number;
    let data: Buffer = Buffer.alloc(0);
    let rdev: [number, number] = [0, 0];
    switch (e.kind) {
      case 'dir': mode = S_IFDIR | (e.mode ?? 0o755); break;
      case 'file': mode = S_IFREG | (e.mode ?? 0o644); data = e.data; break;
      case 'symlink': mode = S_IFLNK | 0o777; data = Buffer.from(e.target); break;
      case 'char': mode = S_IFCHR | (e.mode ?? 0o600); rdev = [e.major, e.minor]; break;
    }
    parts.push(header(ino++, mode, e.kind === 'dir' ? 2 : 1, data.length, path, rdev), data, pad4(data.length));
  }
  parts.push(header(0, 0, 1, 0, 'TRAILER!!!'));
  return Buffer.concat(parts);
}
