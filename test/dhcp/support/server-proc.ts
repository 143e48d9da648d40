// Helpers around the run-server.ts child: start it in a namespace, read its
// JSON lines (events, stats), and read client hook-script output.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DhcpEvent } from '../../../src/io/dhcp/events.ts';
import type { HostLease } from '../../../src/io/dhcp/policy.ts';
import type { DhcpStats } from '../../../src/io/dhcp/server.ts';
import { type Lab, type Proc, until } from './lab.ts';

export function lines(p: Proc): Array<Record<string, unknown>> {
  return p.out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export const events = (p: Proc): DhcpEvent[] => lines(p).flatMap((l) => (l.event ? [l.event as DhcpEvent] : []));

export async function stats(p: Proc): Promise<DhcpStats> {
  const before = lines(p).filter((l) => l.stats).length;
  p.child.stdin?.write('stats\n');
  const all = await until('stats from the server', 5000, () => {
    const s = lines(p).filter((l) => l.stats);
    return s.length > before ? s : undefined;
  });
  return all[all.length - 1]?.stats as DhcpStats;
}

export interface ServerConfig {
  mode: 'server' | 'proxy';
  httpBase: string;
  hosts: Record<string, HostLease>;
  detectorOurs?: string[];
}

export async function startServer(lab: Lab, ns: string, cfg: ServerConfig, name = 'server'): Promise<Proc> {
  const cfgPath = join(lab.dir, `${name}.json`);
  writeFileSync(cfgPath, JSON.stringify(cfg));
  const p = lab.spawnIn(ns, process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'run-server.ts'), cfgPath]);
  await until(`${name} to listen`, 20000, () => {
    if (p.exited) throw new Error(`${name} exited: ${p.err}`);
    return lines(p).some((l) => l.ready);
  });
  return p;
}

/** KEY=VALUE lines written by a client hook script (`env` output). */
export function readEnv(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Za-z_0-9]+)='?(.*?)'?$/.exec(line);
    if (m?.[1]) env[m[1]] = m[2] ?? '';
  }
  return env;
}
