// Directory reading for the SoT loader: sorted listings so loading is
// deterministic, YAML files by extension, unreadable entries reported.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() || (e.isSymbolicLink() && !isDir(join(dir, e.name))))
      .map((e) => e.name)
      .filter((n) => !n.startsWith('.'))
      .sort();
  } catch {
    return [];
  }
}

export function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() || (e.isSymbolicLink() && isDir(join(dir, e.name))))
      .map((e) => e.name)
      .filter((n) => !n.startsWith('.'))
      .sort();
  } catch {
    return [];
  }
}

export const isYamlName = (n: string): boolean => /\.ya?ml$/i.test(n);

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
