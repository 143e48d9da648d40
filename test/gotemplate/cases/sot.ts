// Every template in shared/fixtures/sot: assets (with their type's
// snippets) and the OS kernel/initrd/cmdline strings, over realistic host
// data in several variants.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { sharedRoot } from '../../helpers/oracle.ts';
import { vaqueroData } from './data.ts';
import type { TemplateCase } from './types.ts';

const sotRoot = join(sharedRoot, 'fixtures/sot');
const CHECKPOINT = 'http://10.10.10.1:24601/checkpoint/host-1?token=abc';

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const variants: [string, Parameters<typeof vaqueroData>[0]][] = [
  ['master', {}],
  ['proxy', { role: 'proxy', mstr: null }],
  ['no keys', { keys: false }],
  ['host keys', { hostKeys: true, fleetadd: ',extra=1' }],
  ['one iface', { ifaces: 1 }],
  ['no ifaces', { ifaces: 0 }],
];

function assetCases(): TemplateCase[] {
  const out: TemplateCase[] = [];
  for (const model of readdirSync(sotRoot).sort()) {
    const assets = join(sotRoot, model, 'assets');
    if (!existsSync(assets)) continue;
    for (const type of readdirSync(assets).sort()) {
      const typeDir = join(assets, type);
      const snippetsDir = join(typeDir, 'snippets');
      const snippets: [string, string][] = files(snippetsDir).map((p) => [basename(p), readFileSync(p, 'utf8')]);
      for (const file of files(typeDir).filter((p) => dirname(p) !== snippetsDir)) {
        const text = readFileSync(file, 'utf8');
        for (const [vname, v] of variants) {
          for (const missingKey of ['default', 'error'] as const) {
            out.push({
              name: `sot/${model}/${type}/${basename(file)} (${vname}, missingkey=${missingKey})`,
              file: basename(file),
              template: text,
              data: vaqueroData(v),
              snippets: snippets.length ? snippets : undefined,
              funcs: { Checkpoint: CHECKPOINT },
              missingKey,
            });
          }
        }
      }
    }
  }
  return out;
}

function osCases(): TemplateCase[] {
  const out: TemplateCase[] = [];
  for (const model of readdirSync(sotRoot).sort()) {
    for (const file of files(join(sotRoot, model, 'os'))) {
      const os = parseYaml(readFileSync(file, 'utf8')) as { boot?: { kernel?: string; initrd?: string[] }; cmdline?: Record<string, unknown>[] };
      const strings: [string, string][] = [];
      if (os.boot?.kernel) strings.push(['kernel', os.boot.kernel]);
      (os.boot?.initrd ?? []).forEach((s, i) => strings.push([`initrd[${i}]`, s]));
      (os.cmdline ?? []).forEach((entry, i) => {
        for (const [k, v] of Object.entries(entry)) if (typeof v === 'string') strings.push([`cmdline[${i}] ${k}`, v]);
      });
      for (const [label, text] of strings) {
        for (const [vname, v] of variants.slice(0, 2)) {
          out.push({ name: `sot/${model}/os/${basename(file)} ${label} (${vname})`, file: label, template: text, data: vaqueroData(v), funcs: { Checkpoint: CHECKPOINT } });
        }
      }
    }
  }
  return out;
}

export const cases: TemplateCase[] = [...assetCases(), ...osCases()];
