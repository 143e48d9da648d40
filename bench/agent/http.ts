// HTTP: wrk (1 thread, 4 connections) from the client namespace against a
// 256 MB file and a host's iPXE script, on our asset server and on nginx
// (one worker, sendfile on and off, the same file and a static copy of the
// script). Each case 3 runs, the median reported.
import type { Spawned } from '../../test/helpers/netns.ts';
import { CPU, listening, log, runIn, type Topology } from './common.ts';

export interface HttpResult {
  bigMBps?: number;
  bigReqPerSec?: number;
  scriptReqPerSec?: number;
  scriptMBps?: number;
  /** The script with `?mac=` rotating over every host (wrk Lua), one request per host in turn. */
  scriptManyReqPerSec?: number;
  errors: number;
}

export interface HttpTarget {
  name: string;
  port: number;
  bigPath: string;
  scriptPath: string;
  /** A wrk Lua script whose requests rotate `?mac=` over every host. */
  scriptManyLua: string;
  start(): Promise<Spawned>;
}

const REPEAT = 3;

function median<T>(a: T[], key: (x: T) => number): T | undefined {
  return [...a].sort((x, y) => key(x) - key(y))[Math.floor(a.length / 2)];
}

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

interface Wrk {
  reqPerSec: number;
  MBps: number;
  errors: number;
}

async function wrk(t: Topology, url: string, seconds: number, lua?: string): Promise<Wrk | undefined> {
  const r = await runIn(t.cli, CPU.client, 'wrk', ['-t', '1', '-c', '4', '-d', `${seconds}s`, '--timeout', '30s', ...(lua ? ['-s', lua] : []), url], (seconds + 40) * 1000);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const tps = /Transfer\/sec:\s+([\d.]+)([KMGT]?B)/.exec(r.stdout);
  if (!rps || !tps) {
    log(`    wrk ${url}: exit ${r.code} ${r.stdout.trim()} ${r.stderr.trim()}`);
    return undefined;
  }
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout);
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((s, x) => s + Number(x), 0) : 0);
  return { reqPerSec: Number(rps[1]), MBps: (Number(tps[1]) * UNITS[tps[2]!]!) / 1e6, errors };
}

export async function benchHttp(t: Topology, target: HttpTarget, base: string, seconds: number): Promise<HttpResult> {
  const proc = await target.start();
  await listening(t.srv, 'tcp', target.port);
  const res: HttpResult = { errors: 0 };
  try {
    await wrk(t, `${base}${target.scriptPath}`, 1); // warm-up, not counted
    // Runs alternate (file, script, file, ...), REPEAT of each; the median run is reported: one
    // 10 s run on this VM varied 1.5x between invocations.
    const bigs: Wrk[] = [];
    const scripts: Wrk[] = [];
    const manys: Wrk[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const big = await wrk(t, `${base}${target.bigPath}`, seconds);
      const script = await wrk(t, `${base}${target.scriptPath}`, seconds);
      const many = await wrk(t, base, seconds, target.scriptManyLua);
      for (const [w, into] of [[big, bigs], [script, scripts], [many, manys]] as const) {
        if (w) into.push(w);
        res.errors += w ? w.errors : 1;
      }
    }
    const big = median(bigs, (w) => w.MBps);
    const script = median(scripts, (w) => w.reqPerSec);
    res.bigMBps = big?.MBps;
    res.bigReqPerSec = big?.reqPerSec;
    res.scriptReqPerSec = script?.reqPerSec;
    res.scriptMBps = script?.MBps;
    res.scriptManyReqPerSec = median(manys, (w) => w.reqPerSec)?.reqPerSec;
    log(`    256 MB file: ${bigs.map((w) => w.MBps.toFixed(0)).join(', ')} MB/s; iPXE script, one host: ${scripts.map((w) => w.reqPerSec.toFixed(0)).join(', ')} req/s; rotating over all hosts: ${manys.map((w) => w.reqPerSec.toFixed(0)).join(', ')} req/s; errors ${res.errors}`);
    return res;
  } finally {
    await proc.kill();
  }
}
