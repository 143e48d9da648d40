// What both node floors (tftp-floor.ts, tftp-floor-mmsg.ts) share: the files
// they serve, read into memory at start, and the little RRQ handling they do.
import { Buffer } from 'node:buffer';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function filesIn(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => [d.name, readFileSync(join(dir, d.name))]),
  );
}

export interface FloorRequest {
  data: Buffer;
  blksize: number;
  windowsize: number;
  /** The number of the last DATA block (the short one, maybe empty). */
  last: number;
  /** The OACK to send first, or undefined: DATA 1 at once. */
  oack: Buffer | undefined;
}

/** An RRQ for a file in `files` with blksize, windowsize and tsize honoured; undefined otherwise. */
export function parseRrq(msg: Buffer, files: Map<string, Buffer>, maxBlksize = 65464): FloorRequest | undefined {
  if (msg.length < 4 || msg.readUInt16BE(0) !== 1) return undefined;
  const fields = msg.toString('latin1', 2).split('\0');
  const data = files.get((fields[0] ?? '').replace(/^\/+/, ''));
  if (data === undefined) return undefined;
  let blksize = 512;
  let windowsize = 1;
  const oack: string[] = [];
  for (let i = 2; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toLowerCase();
    if (name === 'blksize') blksize = Math.min(Number(fields[i + 1]), maxBlksize);
    else if (name === 'windowsize') windowsize = Number(fields[i + 1]);
    else if (name !== 'tsize') continue;
    oack.push(name, name === 'tsize' ? String(data.length) : name === 'blksize' ? String(blksize) : fields[i + 1]!);
  }
  return {
    data,
    blksize,
    windowsize,
    last: Math.floor(data.length / blksize) + 1,
    oack: oack.length === 0 ? undefined : Buffer.from(`\0\x06${oack.join('\0')}\0`, 'latin1'),
  };
}

/** DATA block `n` of `r`: a header and a view of the file, as dgram takes them. */
export function dataBlock(r: FloorRequest, n: number): [Buffer, Buffer] {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt16BE(3, 0);
  header.writeUInt16BE(n & 0xffff, 2);
  return [header, r.data.subarray((n - 1) * r.blksize, Math.min(n * r.blksize, r.data.length))];
}
