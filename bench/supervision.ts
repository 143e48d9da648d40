// Benchmark: a power-cut storm as the supervision tree sees it. N hosts each
// send their first DHCP step at once, so the agent's BootTracker starts N boot
// actors under a real boot supervisor (the agent's spec, outage row
// va-actor-crash); then every host reaches its checkpoint, so every actor
// finishes and its supervisor forgets it; then the tree is stopped. Prints wall and CPU time per phase for each N, so growth with N is
// visible (it should be linear), and the heap each running boot actor takes (after a full
// GC before and after the start; the npm script runs node with --expose-gc); asserts nothing.
//
//   npm run bench:supervision [-- --hosts 1000,4000,16000]
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { BootTracker } from '../src/agent/boot-tracker.ts';
import type { AgentEvent } from '../src/agent/event-log.ts';
import { startRoot } from '../src/supervisors/root.ts';
import { supervisorSpec } from '../src/supervisors/supervisor.ts';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '1000,4000,16000' } } });
const SIZES = values.hosts.split(',').map(Number);
if (SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--hosts: comma-separated positive integers, got ${values.hosts}`);

function mac(i: number): string {
  return ['52', '54', '00', (i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => (typeof b === 'string' ? b : b.toString(16).padStart(2, '0'))).join(':');
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

console.log(`node ${process.version}; boot actors under one boot supervisor (one_for_one, va-actor-crash)`);
const gc = (globalThis as { gc?: () => void }).gc;
/** Heap in use after full collections, or undefined without --expose-gc. */
function heapAfterGc(): number | undefined {
  if (gc === undefined) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

console.log('| hosts | start all: wall ms | CPU ms | heap per boot actor | all reach checkpoint and end: wall ms | CPU ms | stop: wall ms | boot actors started | events |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const n of SIZES) {
  const macs = Array.from({ length: n }, (_, i) => mac(i));
  const hosts = new Map(macs.map((m, i) => [m, `host-${i}`]));
  const events: AgentEvent[] = [];
  const root = await startRoot(supervisorSpec({ name: 'boot-sup', strategy: 'one_for_one', policy: 'va-actor-crash', children: [] }), {
    logger: pino({ enabled: false }),
    onFatal: (e) => {
      throw e;
    },
  });
  const tracker = new BootTracker({ sup: root, hostOf: (m) => hosts.get(m), macOf: () => undefined, emit: (e) => events.push(e), stallAfterMs: 600_000 });
  const heapBefore = heapAfterGc();
  const start = await timed(() => Promise.all(macs.map((m) => tracker.observe({ mac: m, stage: 'dhcp', starts: true }))));
  const running = tracker.active().length;
  const heapAfter = heapAfterGc();
  const perActor = heapBefore === undefined || heapAfter === undefined ? 'n/a (no --expose-gc)' : `${((heapAfter - heapBefore) / running / 1024).toFixed(1)} KiB`;
  // A new stage always reaches the actor; at the checkpoint it stops and its supervisor forgets it.
  const done = await timed(async () => {
    for (const m of macs) await tracker.observe({ mac: m, stage: 'checkpoint', starts: true });
    while (tracker.active().length > 0) await new Promise((r) => setTimeout(r, 5));
  });
  const stop = await timed(() => root.stop());
  console.log(`| ${n} | ${start.ms.toFixed(0)} | ${start.cpuMs.toFixed(0)} | ${perActor} | ${done.ms.toFixed(0)} | ${done.cpuMs.toFixed(0)} | ${stop.ms.toFixed(0)} | ${running} | ${events.length} |`);
}
