// Typed-document checks in worker threads, for validating a whole large SoT:
// the main thread renders (about a third of the work) while workers parse
// and check the rendered configs (the rest). Jobs go in batches to keep
// messages few; results come back in order per worker. Workers are unref'd
// and closed by close(); an error in one fails the whole validation.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AssetProblem } from './problem.ts';
import type { AssetType } from './validate-asset.ts';

export interface Job {
  type: AssetType;
  text: string;
}

interface Pending {
  resolve: (p: AssetProblem[]) => void;
  reject: (e: unknown) => void;
}

const BATCH = 256;

export class AssetCheckPool {
  private readonly workers: { w: Worker; inflight: Pending[][] }[] = [];
  private batch: Job[] = [];
  private waiting: Pending[] = [];
  private next = 0;
  private failed: unknown;

  /** Workers: one less than the cores (the main thread renders), at least 1, at most `max`. */
  constructor(max = 4) {
    const n = Math.max(1, Math.min(max, availableParallelism() - 1));
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./check-worker.mjs', import.meta.url));
      w.unref();
      const entry = { w, inflight: [] as Pending[][] };
      w.on('message', (results: AssetProblem[][]) => {
        const batch = entry.inflight.shift();
        batch?.forEach((p, k) => p.resolve(results[k] ?? []));
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`asset check worker exited with code ${code}`));
      });
      this.workers.push(entry);
    }
  }

  check(job: Job): Promise<AssetProblem[]> {
    if (this.failed) return Promise.reject(this.failed);
    const p = new Promise<AssetProblem[]>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.batch.push(job);
    if (this.batch.length >= BATCH) this.flush();
    return p;
  }

  /** Sends what is queued; call once every job is in. */
  flush(): void {
    if (this.batch.length === 0) return;
    const entry = this.workers[this.next++ % this.workers.length]!;
    entry.inflight.push(this.waiting);
    entry.w.postMessage(this.batch);
    this.batch = [];
    this.waiting = [];
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((e) => e.w.terminate()));
  }

  private fail(e: unknown): void {
    this.failed ??= e;
    for (const entry of this.workers) for (const batch of entry.inflight.splice(0)) for (const p of batch) p.reject(e);
    for (const p of this.waiting.splice(0)) p.reject(e);
  }
}
