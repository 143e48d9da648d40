// Every host of every model we ship or must support, at every workflow stage:
// our unattended config and iPXE script equal what Go's text/template renders
// from the same data (the data `preview --data` prints).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSot } from '../../src/model/load.ts';
import { primaryInterface } from '../../src/render/target.ts';
import { EXAMPLES_SOT, LAB_SOT, VAGRANT_SOT } from '../helpers/sot.ts';
import { cli } from '../helpers/cli.ts';
import { mapLimit, runOracle } from '../helpers/oracle.ts';
import type { Json, JsonMap } from '../../src/model/types.ts';

interface Case {
  sot: string;
  site: string;
  mac: string;
  boot: string;
  label: string;
}

function casesOf(dir: string): Case[] {
  const { sot } = loadSot(dir);
  const out: Case[] = [];
  for (const site of sot.sites.values()) {
    for (const host of site.hosts) {
      const iface = primaryInterface(host);
      const wf = host.library.workflows.get(host.workflow);
      if (!iface || !wf) continue;
      for (const s of wf.stages) out.push({ sot: dir, site: site.id, mac: iface.mac, boot: s.boot, label: `${dir.split('/').pop()}/${host.name}@${s.boot}` });
    }
  }
  return out;
}

async function oracle(name: string, text: string, dot: unknown, checkpoint: string, snippetsDir?: string): Promise<string> {
  const snippets = snippetsDir && existsSync(snippetsDir) ? readdirSync(snippetsDir).sort().map((n): [string, string] => [n, readFileSync(join(snippetsDir, n), 'utf8')]) : undefined;
  const r = await runOracle({ name, text, data: dot, funcs: { Checkpoint: checkpoint }, ...(snippets ? { snippets } : {}) });
  if (r.code !== 0) throw new Error(`Go failed on ${name}: ${r.stderr}`);
  return r.stdout;
}

/** The cmdline rules written out again, independently of src/render, over Go-rendered values. */
async function expectedScript(osDoc: JsonMap, dot: JsonMap, checkpoint: string, configParam: string | undefined): Promise<string> {
  const go = (label: string, t: string) => oracle(label, t, dot, checkpoint);
  const boot = osDoc.boot as JsonMap;
  const kernel = await go('kernel', String(boot.kernel));
  const initrds = await Promise.all((boot.initrd as Json[]).map((t, i) => go(`initrd${i}`, String(t))));
  const params: string[] = [];
  const entries: [string, Json][] = [];
  for (const item of (osDoc.cmdline as Json[] | undefined) ?? []) for (const [k, v] of Object.entries(item as JsonMap)) entries.push([k, v]);
  for (const [k, v] of entries) {
    const values = v === null || v === '' ? [null] : Array.isArray(v) ? v.filter((e) => typeof e !== 'object' || e === null) : [v];
    for (const e of values) {
      const s = e === null ? '' : typeof e === 'string' ? await go(`cmdline-${k}`, e) : String(e);
      params.push(s === '' ? k : `${k}=${s}`);
    }
  }
  if (configParam) params.push(`${configParam}=${String((dot.boot as JsonMap).configURL)}`);
  return ['#!ipxe', [`kernel ${kernel}`, ...params].join(' '), ...initrds.map((i) => `initrd ${i}`), 'boot', ''].join('\n');
}

const CONFIG_PARAMS: Record<string, string> = { ignition: 'coreos.config.url', 'cloud-config': 'cloud-config-url', kickstart: 'inst.ks' };

const cases = [...casesOf(EXAMPLES_SOT), ...casesOf(VAGRANT_SOT), ...casesOf(LAB_SOT)];

test(`configs and iPXE scripts of all ${cases.length} host stages equal Go's rendering of the same data`, async () => {
  assert.ok(cases.length >= 6 + 9 + 5, `expected every fixture host, got ${cases.length}`);
  const failures: string[] = [];
  await mapLimit(cases, 4, async (c) => {
    const base = ['preview', '--sot', c.sot, '--site', c.site, '--mac', c.mac, '--boot', c.boot];
    const data = await cli(...base, '--data');
    assert.equal(data.code, 0, `${c.label}: ${data.err}`);
    const { dot, funcs } = JSON.parse(data.out) as { dot: JsonMap; funcs: { Checkpoint: string } };
    const bootDoc = dot.boot as JsonMap;
    const unattended = bootDoc.unattended as JsonMap | undefined;
    if (unattended) {
      const type = String(unattended.type);
      const file = join(c.sot, 'assets', type, String(unattended.use));
      const ours = await cli(...base);
      const go = await oracle(String(unattended.use), readFileSync(file, 'utf8'), dot, funcs.Checkpoint, join(c.sot, 'assets', type, 'snippets'));
      if (ours.code !== 0 || ours.out !== go) failures.push(`${c.label} config differs:\n--- ours (${ours.code}) ${ours.err}\n${ours.out}\n--- go\n${go}`);
    }
    const ipxe = await cli(...base, '--ipxe');
    const expected = await expectedScript(bootDoc.os as JsonMap, dot, funcs.Checkpoint, unattended ? CONFIG_PARAMS[String(unattended.type)] : undefined);
    if (ipxe.out !== expected) failures.push(`${c.label} iPXE differs:\n--- ours\n${ipxe.out}\n--- expected\n${expected}`);
  });
  assert.equal(failures, []);
});

test.run();
