// Builds and runs shared/tools/gotemplate-oracle (Go's own text/template) so
// tests can compare our engine with the reference. Built once per run into
// node_modules/.cache, rebuilt when main.go is newer; VAQUERO_GOTEMPLATE_ORACLE
// points at a prebuilt binary instead. A missing `go` is a failure, not a skip:
// CI installs golang-go.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedRoot = resolve(repoRoot, '../shared');
const oracleSrc = join(sharedRoot, 'tools/gotemplate-oracle');
const cacheBin = join(repoRoot, 'node_modules/.cache/vaquero/gotemplate-oracle');

let built: Promise<string> | null = null;

function goEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!env.HOME && !env.GOCACHE) env.GOCACHE = join(tmpdir(), 'vaquero-gocache');
  if (!env.HOME && !env.GOPATH) env.GOPATH = join(tmpdir(), 'vaquero-gopath');
  env.GOFLAGS = '-mod=mod';
  return env;
}

/** Path of a runnable oracle binary, building it if needed. Rejects with a clear message if Go is missing. */
export function oracleBinary(): Promise<string> {
  const override = process.env.VAQUERO_GOTEMPLATE_ORACLE;
  if (override) return Promise.resolve(override);
  built ??= new Promise((resolvePath, reject) => {
    const mainGo = join(oracleSrc, 'main.go');
    if (!existsSync(mainGo)) {
      reject(new Error(`gotemplate-oracle source not found at ${mainGo} (shared/ must sit beside the repository)`));
      return;
    }
    if (existsSync(cacheBin) && statSync(cacheBin).mtimeMs >= statSync(mainGo).mtimeMs) {
      resolvePath(cacheBin);
      return;
    }
    mkdirSync(dirname(cacheBin), { recursive: true });
    const tmpOut = `${cacheBin}.${process.pid}.tmp`;
    execFile('go', ['build', '-o', tmpOut, '.'], { cwd: oracleSrc, env: goEnv() }, (err, _stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new Error(missing
          ? 'the Go toolchain (`go`) is not installed; the gotemplate differential tests need it (Debian: apt-get install golang-go), or set VAQUERO_GOTEMPLATE_ORACLE to a built oracle'
          : `go build of gotemplate-oracle failed: ${stderr || err.message}`));
        return;
      }
      renameSync(tmpOut, cacheBin);
      resolvePath(cacheBin);
    });
  });
  return built;
}

export interface ProcResult { code: number; stdout: string; stderr: string }

/** Runs a command to completion, capturing output. */
export function runProcess(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcResult> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

export interface OracleInput {
  /** Base name of the template file. */
  name: string;
  text: string;
  data: unknown;
  snippets?: [string, string][];
  funcs?: Record<string, string>;
  missingKey?: string;
}

/** Lays out a case as files: data.json, tpl/<name>, snippets/<file>...; returns the folder and the CLI arguments. */
export async function writeCaseFiles(input: OracleInput): Promise<{ dir: string; args: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'vq-gotpl-'));
  await writeFile(join(dir, 'data.json'), JSON.stringify(input.data ?? null));
  await mkdir(join(dir, 'tpl'));
  await writeFile(join(dir, 'tpl', input.name), input.text);
  const args = ['-data', join(dir, 'data.json')];
  if (input.snippets) {
    await mkdir(join(dir, 'snippets'));
    for (const [n, t] of input.snippets) await writeFile(join(dir, 'snippets', n), t);
    args.push('-snippets', join(dir, 'snippets'));
  }
  if (input.missingKey) args.push('-missingkey', input.missingKey);
  for (const [k, v] of Object.entries(input.funcs ?? {})) args.push('-func', `${k}=${v}`);
  args.push(join(dir, 'tpl', input.name));
  return { dir, args };
}

/** Renders one case with Go. */
export async function runOracle(input: OracleInput): Promise<ProcResult> {
  const bin = await oracleBinary();
  const { dir, args } = await writeCaseFiles(input);
  try {
    return await runProcess(bin, args);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Maps `fn` over `items` with at most `limit` running at once, keeping order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
