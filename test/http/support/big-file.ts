// A large file of random bytes under os.tmpdir() with its SHA-256, made once
// per test file on first use and removed by the returned cleanup (and at exit).
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BigFile {
  dir: string;
  name: string;
  path: string;
  size: number;
  sha256: string;
  /** The first and last MiB, to check ranges against without reading the file again. */
  head: Buffer;
  tail: Buffer;
  cleanup(): void;
}

export function makeBigFile(size = 64 * 1024 * 1024, name = 'big.img'): BigFile {
  const dir = mkdtempSync(join(tmpdir(), 'vaquero-http-files-'));
  const path = join(dir, name);
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  const chunk = 1024 * 1024;
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  try {
    for (let off = 0; off < size; off += chunk) {
      const b = randomBytes(Math.min(chunk, size - off));
      if (off === 0) head = b;
      tail = b;
      hash.update(b);
      writeSync(fd, b);
    }
  } finally {
    closeSync(fd);
  }
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanup);
  return { dir, name, path, size, sha256: hash.digest('hex'), head, tail, cleanup };
}
