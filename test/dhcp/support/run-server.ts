// Child process for the real-client tests: runs a DHCP server built from a
// JSON file (argv[2]) inside a test namespace. stdout carries JSON lines
// ({ready}, {event}, {stats}); stdin takes "stats" and "close".
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRogueDetector } from '../../../src/io/dhcp/detector.ts';
import { createDhcpServer, type DhcpServerOptions } from '../../../src/io/dhcp/server.ts';
import type { HostLease } from '../../../src/io/dhcp/policy.ts';

interface Config {
  mode: 'server' | 'proxy';
  httpBase: string;
  hosts: Record<string, HostLease>;
  port?: number;
  proxyPort?: number;
  /** Also run the rogue-server detector on 68, treating these addresses as ours. */
  detectorOurs?: string[];
}

const cfg = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Config;
const out = (o: unknown): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};
const opts: DhcpServerOptions = {
  mode: cfg.mode,
  httpBase: cfg.httpBase,
  lookup: (mac) => cfg.hosts[mac],
  onEvent: (event) => out({ event }),
};
if (cfg.port !== undefined) opts.port = cfg.port;
if (cfg.proxyPort !== undefined) opts.proxyPort = cfg.proxyPort;
const server = createDhcpServer(opts);

async function main(): Promise<void> {
  await server.listen();
  const detector = cfg.detectorOurs ? createRogueDetector({ ours: cfg.detectorOurs, onEvent: (event) => out({ event }) }) : undefined;
  const detecting = detector ? await detector.start() : false;
  out({ ready: true, bound: server.bound(), detecting });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line === 'stats') out({ stats: server.stats() });
    if (line === 'close') break;
  }
  await detector?.close();
  await server.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    out({ error: String(err) });
    process.exit(1);
  },
);
