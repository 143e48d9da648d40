// Benchmark: load + validate a synthetic SoT of SITES x HOSTS hosts (default
// 100 x 1,000) built from the example lab model, with wall time and peak
// RSS, then render throughput of an ignition config and an iPXE script on
// one core. Prints figures; asserts nothing (targets live in docs/benchmarks.md).
//
//   npm run bench:model [-- --sites 100 --hosts 1000 --renders 20000]
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkReferences } from '../src/validate/references.ts';
import { checkTemplatesWith } from '../src/validate/templates.ts';
import { AssetCheckPool } from '../src/validate/assets/pool.ts';
import { loadSot } from '../src/model/load.ts';
import { templateInput } from '../src/render/data.ts';
import { unattendedConfig } from '../src/render/config.ts';
import { ipxeScript } from '../src/render/ipxe.ts';
import { findHost, findSite, resolveTarget } from '../src/render/target.ts';

const { values } = parseArgs({ options: { sites: { type: 'string', default: '100' }, hosts: { type: 'string', default: '1000' }, renders: { type: 'string', default: '20000' } } });
const SITES = Number(values.sites);
const HOSTS = Number(values.hosts);
const RENDERS = Number(values.renders);
const LAB = resolve(import.meta.dirname, '..', 'examples', 'lab');
const WORKFLOWS = ['flatcar-worker', 'rocky', 'ubuntu'];

function mac(site: number, host: number): string {
  const n = site * 65536 + host;
  return ['52', '54', (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255].map((b) => (typeof b === 'string' ? b : b.toString(16).padStart(2, '0'))).join(':');
}

function generate(dir: string): void {
  for (const d of ['assets', 'os', 'boot', 'workflows']) cpSync(join(LAB, d), join(dir, d), { recursive: true });
  for (let s = 0; s < SITES; s++) {
    const id = `site-${String(s).padStart(3, '0')}`;
    const sd = join(dir, 'sites', id);
    mkdirSync(sd, { recursive: true });
    const net = `10.${s}`;
    writeFileSync(join(sd, 'env.yml'), `id: ${id}\nsubnets:\n  - id: prov\n    cidr: ${net}.0.0/16\n    gateway: ${net}.0.1\n    domain: ${id}.example\n    dns: [${net}.0.1]\n    ntp: [${net}.0.1]\nagents:\n  - asset_server:\n      addr: ${net}.0.2\nmetadata:\n  timezone: UTC\n  ssh_authorized_keys:\n    - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBq7 ops@${id}\n`);
    const perFile = 100;
    for (let f = 0; f * perFile < HOSTS; f++) {
      const docs: string[] = [];
      for (let h = f * perFile; h < Math.min(HOSTS, (f + 1) * perFile); h++) {
        const ip = `${net}.${2 + (h >> 8)}.${h & 255}`;
        docs.push(`---\nname: ${id}-h${h}\ninterfaces:\n  - type: physical\n    subnet: prov\n    mac: ${mac(s, h)}\n    ipv4: ${ip}\n    identifier: eth0\nmetadata:\n  prefix: 16\nworkflow: ${WORKFLOWS[h % WORKFLOWS.length]}\n`);
      }
      writeFileSync(join(sd, `cluster-${f}.yml`), docs.join(''));
    }
  }
}

function rate(n: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(1000, n); i++) fn(); // warm-up: JIT and caches
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const dir = mkdtempSync(join(tmpdir(), 'vaquero-bench-'));
try {
  let t = performance.now();
  generate(dir);
  console.log(`generated ${SITES} sites x ${HOSTS} hosts in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  // validateSot's three phases, timed one by one.
  t = performance.now();
  const loaded = loadSot(dir);
  const tLoad = performance.now() - t;
  checkReferences(loaded.sot, loaded.problems);
  const tRefs = performance.now() - t - tLoad;
  // As `vaquero validate` does for large models (validateSotParallel): typed checks in worker threads.
  const pool = new AssetCheckPool();
  const pending = checkTemplatesWith(loaded.sot, loaded.problems, (c) => pool.check(c));
  pool.flush();
  await pending;
  await pool.close();
  const seconds = (performance.now() - t) / 1000;
  const { problems } = loaded;
  const valid = problems.errorCount === 0;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  console.log(`load + validate: ${(SITES * HOSTS).toLocaleString('en')} hosts in ${seconds.toFixed(1)} s (${Math.round((SITES * HOSTS) / seconds).toLocaleString('en')} hosts/s), peak RSS ${peakMiB.toFixed(0)} MiB, valid=${valid}, ${problems.errorCount} errors, ${problems.warningCount} warnings`);
  console.log(`  phases: load ${(tLoad / 1000).toFixed(1)} s, references ${(tRefs / 1000).toFixed(1)} s, templates (render + typed checks) ${(seconds - (tLoad + tRefs) / 1000).toFixed(1)} s`);
  for (const p of problems.sorted().slice(0, 5)) console.log(`  ${p.file}:${p.line}: ${p.level}: ${p.message}`);

  const { sot } = loadSot(LAB);
  const site = findSite(sot, 'lab');
  const { host, iface } = findHost(site, '52:54:00:00:10:01');
  const target = resolveTarget(site, host, iface, { bootId: 'flatcar-worker' });
  const ign = rate(RENDERS / 4, () => unattendedConfig(target, templateInput(target)));
  const ipxe = rate(RENDERS, () => ipxeScript(target, templateInput(target)));
  console.log(`render (one core, data built per render): ignition ${Math.round(ign).toLocaleString('en')}/s, iPXE script ${Math.round(ipxe).toLocaleString('en')}/s`);
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); else console.log(dir);
}
