// An asset server in-process on 127.0.0.1:0 over a fixture model, the events
// it reported, and a real curl to drive it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAssetRoutes, type AgentModel } from '../../../src/agent/asset-routes.ts';
import { createAssetServer, type AssetServer, type AssetServerOptions, type HttpEvent } from '../../../src/io/http/server.ts';
import { Registry } from '../../../src/metrics/registry.ts';
import { loadSot } from '../../../src/model/load.ts';
import { findSite } from '../../../src/render/target.ts';
import { EXAMPLES_SOT } from '../../helpers/sot.ts';

export interface Harness {
  base: string;
  port: number;
  server: AssetServer;
  registry: Registry;
  events: HttpEvent[];
  filesDir: string;
  close(): Promise<void>;
}

const models = new Map<string, AgentModel>();

export function model(sotDir = EXAMPLES_SOT): AgentModel {
  let m = models.get(sotDir);
  if (!m) {
    const { sot } = loadSot(sotDir);
    m = { sot, site: findSite(sot) };
    models.set(sotDir, m);
  }
  return m;
}

export interface StartOptions extends Partial<AssetServerOptions> {
  sot?: string;
  uefi?: (mac: string) => boolean;
}

export async function start(o: StartOptions = {}): Promise<Harness> {
  const ownDir = o.filesDir === undefined;
  const filesDir = o.filesDir ?? mkdtempSync(join(tmpdir(), 'vaquero-files-'));
  const registry = o.registry ?? new Registry();
  const events: HttpEvent[] = [];
  const { sot, uefi, ...rest } = o;
  const m = model(sot);
  const server = createAssetServer({
    host: '127.0.0.1',
    port: 0,
    routes: createAssetRoutes(() => m, uefi ? { uefi } : {}),
    onEvent: (e) => events.push(e),
    ...rest,
    filesDir,
    registry,
  });
  const { port } = await server.listen();
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    server,
    registry,
    events,
    filesDir,
    async close() {
      try {
        // A close() that never resolves must fail the test, not hang the suite.
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('asset server close() did not resolve within 10 s')), 10_000);
        });
        await Promise.race([server.close(), deadline]).finally(() => clearTimeout(timer));
      } finally {
        if (ownDir) rmSync(filesDir, { recursive: true, force: true });
      }
    },
  };
}

/** Fails (never skips) when curl is missing: CI installs the Debian package `curl`. */
export function curlVersion(): string {
  return execFileSync('curl', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
}

export interface CurlResult {
  code: number | null;
  body: Buffer;
  err: string;
}

/** Runs curl with `-sS` (no progress, errors shown) and collects its whole output. */
export function curl(args: string[], timeoutMs = 60_000): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, body: Buffer.concat(out), err }));
  });
}

/** `curl -i` output split into status, lower-cased headers and body. */
export function parseResponse(raw: Buffer): { status: number; headers: Record<string, string>; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(head[0]?.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers, body: raw.subarray(end + 4) };
}

export { until } from '../../helpers/until.ts';

/** Events without their timestamp, for whole-object comparisons. */
export function withoutAt(events: HttpEvent[]): Omit<HttpEvent, 'at'>[] {
  return events.map(({ at: _at, ...rest }) => rest);
}

export function cleanupDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
