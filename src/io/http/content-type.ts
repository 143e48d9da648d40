// Content types for what a boot server hands out; anything else is
// application/octet-stream, which every firmware and iPXE accept.
import { extname } from 'node:path';

const TYPES: Record<string, string> = {
  '.ipxe': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.cfg': 'text/plain; charset=utf-8',
  '.conf': 'text/plain; charset=utf-8',
  '.ks': 'text/plain; charset=utf-8',
  '.sh': 'text/plain; charset=utf-8',
  '.sha256': 'text/plain; charset=utf-8',
  '.sha512': 'text/plain; charset=utf-8',
  '.asc': 'text/plain; charset=utf-8',
  '.sig': 'application/pgp-signature',
  '.yml': 'text/yaml; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.json': 'application/json',
  '.ign': 'application/json',
  '.iso': 'application/x-iso9660-image',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.xz': 'application/x-xz',
  '.zst': 'application/zstd',
  '.bz2': 'application/x-bzip2',
  '.tar': 'application/x-tar',
  '.cpio': 'application/x-cpio',
  '.squashfs': 'application/octet-stream',
};

export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}
