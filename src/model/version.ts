// Content address of a source of truth: sha256 over every file's path and
// bytes, in sorted order, so the same model has the same version wherever
// it is read and any change (even an ignored file) gives a new one.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function sotVersion(root: string): string {
  const h = createHash('sha256');
  const walk = (dir: string, rel: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue; // .git and editor files are not the model
      const path = join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path, r);
      else if (e.isFile()) {
        const data = readFileSync(path);
        h.update(`${r}\0${data.length}\0`);
        h.update(data);
      }
    }
  };
  walk(root, '');
  return h.digest('hex').slice(0, 16);
}
