// Test helpers for sources of truth: the shared fixtures (read-only, found
// beside the repository) and throw-away copies to break on purpose.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = process.env.VAQUERO_SHARED_DIR ?? resolve(REPO, '..', 'shared');
export const FIXTURES = join(SHARED, 'fixtures', 'sot');
export const EXAMPLES_SOT = join(FIXTURES, 'vaquero-examples');
export const VAGRANT_SOT = join(FIXTURES, 'vaquero-vagrant');
export const LAB_SOT = join(REPO, 'examples', 'lab');

export interface SotCopy {
  dir: string;
  read(rel: string): string;
  write(rel: string, text: string): void;
  /** Replaces exactly one occurrence of `from` in a file (fails the test setup otherwise). */
  edit(rel: string, from: string, to: string): void;
  remove(rel: string): void;
  cleanup(): void;
}

export function copySot(src: string): SotCopy {
  const dir = mkdtempSync(join(tmpdir(), 'vaquero-sot-'));
  cpSync(src, dir, { recursive: true });
  return {
    dir,
    read: (rel) => readFileSync(join(dir, rel), 'utf8'),
    write: (rel, text) => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    },
    edit(rel, from, to) {
      const text = readFileSync(join(dir, rel), 'utf8');
      const n = text.split(from).length - 1;
      if (n !== 1) throw new Error(`edit ${rel}: '${from}' occurs ${n} times`);
      writeFileSync(join(dir, rel), text.replace(from, to));
    },
    remove: (rel) => rmSync(join(dir, rel), { recursive: true, force: true }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
